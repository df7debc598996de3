import {
  defaultMetricName, noKeyMetricName, overrideMetricName, pastLastRangeMetricName, statsSegment, taggedMetricName,
} from "../../assembly/metric-names";
import { KeySource, RuleKey, RulePolicy, TaggingRule } from "../../assembly/rules";

function ruleNamed(name: string): TaggingRule {
  const policies = new StaticArray<RulePolicy>(1);
  policies[0] = new RulePolicy(1, "s1");
  return new TaggingRule(name, new RuleKey(KeySource.Header, "x-user-id"), 1, "x-asm-prefer-tag", policies);
}

describe("metric names", () => {
  it("keep letters, digits, '_' and '-', and replace everything else", () => {
    expect(statsSegment("canary-by_user2")).toBe("canary-by_user2");
    expect(statsSegment("a.b c/d:é")).toBe("a_b_c_d__");
    expect(statsSegment("")).toBe("");
    expect(statsSegment("..")).toBe("__");
  });
  it("name each outcome of a rule", () => {
    const rule = ruleNamed("canary.users");
    expect(taggedMetricName(rule, "s2")).toBe("hash_tagging.canary_users.tag.s2");
    expect(taggedMetricName(rule, "v 2.1")).toBe("hash_tagging.canary_users.tag.v_2_1");
    expect(pastLastRangeMetricName(rule)).toBe("hash_tagging.canary_users.past_last_range");
    expect(noKeyMetricName(rule)).toBe("hash_tagging.canary_users.no_key");
    expect(overrideMetricName(rule)).toBe("hash_tagging.canary_users.override");
    expect(defaultMetricName(rule)).toBe("hash_tagging.canary_users.default");
  });
  it("build a long name in one pass (linear time)", () => {
    let long = "";
    for (let i = 0; i < 12; i++) long += long.length == 0 ? "a.b" : long;
    expect(statsSegment(long).length).toBe(long.length);
    expect(statsSegment(long).indexOf(".")).toBe(-1);
  });
});
