import { metricName, statsSegment } from "../../assembly/metric-names";
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
    expect(metricName(rule, "tag." + statsSegment("s2"))).toBe("hash_tagging.canary_users.tag.s2");
    expect(metricName(rule, "tag." + statsSegment("v 2.1"))).toBe("hash_tagging.canary_users.tag.v_2_1");
    expect(metricName(rule, "past_last_range")).toBe("hash_tagging.canary_users.past_last_range");
  });
  it("build a long name in one pass (linear time)", () => {
    let long = "";
    for (let i = 0; i < 12; i++) long += long.length == 0 ? "a.b" : long;
    expect(statsSegment(long).length).toBe(long.length);
    expect(statsSegment(long).indexOf(".")).toBe(-1);
  });
});
