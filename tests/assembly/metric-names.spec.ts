import { noKeyMetricName, pastLastRangeMetricName, statsSegment, taggedMetricName } from "../../assembly/metric-names";
import { RulePolicy, TaggingRule } from "../../assembly/rules";

function ruleNamed(name: string): TaggingRule {
  const policies = new StaticArray<RulePolicy>(1);
  policies[0] = new RulePolicy(1, "s1");
  return new TaggingRule(name, "x-user-id", 1, "x-asm-prefer-tag", policies);
}

describe("metric names", () => {
  it("keep letters, digits, '_' and '-', and replace everything else", () => {
    expect(statsSegment("canary-by_user2")).toBe("canary-by_user2");
    expect(statsSegment("a.b c/d:é")).toBe("a_b_c_d__");
  });
  it("name each outcome of a rule", () => {
    const rule = ruleNamed("canary.users");
    expect(taggedMetricName(rule, "s2")).toBe("hash_tagging.canary_users.tag.s2");
    expect(taggedMetricName(rule, "v 2.1")).toBe("hash_tagging.canary_users.tag.v_2_1");
    expect(pastLastRangeMetricName(rule)).toBe("hash_tagging.canary_users.past_last_range");
    expect(noKeyMetricName(rule)).toBe("hash_tagging.canary_users.no_key");
  });
});
