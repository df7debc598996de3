import { fnv1a32 } from "../../assembly/hash";
import { RulePolicy, TaggingRule } from "../../assembly/rules";
import { bucketOf, policyIndexForBucket } from "../../assembly/tagging";

function ruleOf(modulo: u32, ranges: u32[], tags: string[]): TaggingRule {
  const policies = new StaticArray<RulePolicy>(ranges.length);
  for (let i = 0; i < ranges.length; i++) policies[i] = new RulePolicy(ranges[i], tags[i]);
  return new TaggingRule("test", "x-user-id", modulo, "x-asm-prefer-tag", policies);
}

function tagAt(rule: TaggingRule, bucket: u32): string {
  const index = policyIndexForBucket(rule, bucket);
  return index < 0 ? "<none>" : rule.policies[index].tagValue;
}

describe("bucketOf", () => {
  it("takes the unsigned remainder, also for hashes above i32.MAX_VALUE", () => {
    expect(bucketOf(0xffffffff, 100)).toBe(95);
    expect(bucketOf(0x80000000, 7)).toBe(<u32>(2147483648 % 7));
    expect(bucketOf(12345, 1)).toBe(0);
    expect(bucketOf(12345, u32.MAX_VALUE)).toBe(12345);
    expect(bucketOf(u32.MAX_VALUE, u32.MAX_VALUE)).toBe(0);
  });
});

describe("policyIndexForBucket", () => {
  it("gives the first policy whose range is greater than the bucket", () => {
    const reference = ruleOf(100, [20, 100], ["s2", "s1"]);
    expect(tagAt(reference, 0)).toBe("s2");
    expect(tagAt(reference, 19)).toBe("s2");
    expect(tagAt(reference, 20)).toBe("s1");
    expect(tagAt(reference, 99)).toBe("s1");
  });
  it("gives no tag to a bucket at or past the last range", () => {
    const partial = ruleOf(100, [20, 50], ["s2", "s1"]);
    expect(tagAt(partial, 49)).toBe("s1");
    expect(tagAt(partial, 50)).toBe("<none>");
    expect(tagAt(partial, 99)).toBe("<none>");
  });
  it("skips a zero-width policy: range 0 is the documented rollback", () => {
    const rolledBack = ruleOf(100, [0, 100], ["s2", "s1"]);
    for (let bucket: u32 = 0; bucket < 100; bucket++) expect(tagAt(rolledBack, bucket)).toBe("s1");
    const repeated = ruleOf(100, [20, 20, 100], ["a", "b", "c"]);
    expect(tagAt(repeated, 19)).toBe("a");
    expect(tagAt(repeated, 20)).toBe("c");
  });
  it("tags every bucket with modulo 1", () => {
    const single = ruleOf(1, [1], ["only"]);
    expect(tagAt(single, bucketOf(0xdeadbeef, 1))).toBe("only");
  });
  it("handles the largest modulo", () => {
    const large = ruleOf(u32.MAX_VALUE, [2147483648, u32.MAX_VALUE], ["low", "high"]);
    expect(tagAt(large, 2147483647)).toBe("low");
    expect(tagAt(large, 2147483648)).toBe("high");
    expect(tagAt(large, u32.MAX_VALUE - 1)).toBe("high");
  });
});

describe("key bytes to policy", () => {
  it("buckets a key by FNV-1a of its bytes, as the filter does", () => {
    const rule = ruleOf(100, [20, 100], ["s2", "s1"]);
    // FNV-1a("jack") % 100 is 2 by the independent TypeScript FNV-1a in tests/support/fnv1a.ts.
    const key = String.UTF8.encode("jack");
    const bucket = bucketOf(fnv1a32(changetype<usize>(key), key.byteLength), rule.modulo);
    expect(bucket).toBe(2);
    expect(rule.policies[policyIndexForBucket(rule, bucket)].tagValue).toBe("s2");
  });
});
