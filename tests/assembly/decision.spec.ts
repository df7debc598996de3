import { NO_SPAN, spanLength, spanPtr } from "../../assembly/request/byte-span";
import { keyIn } from "../../assembly/request/key-in";
import { fmix32, fnv1a32 } from "../../assembly/hash";
import { HashVariant, KeySource, RuleKey, RuleOptions, RulePolicy, Tag, TaggingRule } from "../../assembly/rules";
import { Decision, OutcomeKind, bucketOf, bucketOfState, decideBucket, decideKey, keyHashState } from "../../assembly/decision";

function policiesOf(ranges: u32[], tags: string[]): StaticArray<RulePolicy> {
  const policies = new StaticArray<RulePolicy>(ranges.length);
  for (let i = 0; i < ranges.length; i++) policies[i] = new RulePolicy(ranges[i], tags[i]);
  return policies;
}

function ruleOf(modulo: u32, ranges: u32[], tags: string[], options: RuleOptions = new RuleOptions(), key: RuleKey = new RuleKey(KeySource.Header, "x-user-id")): TaggingRule {
  return new TaggingRule("test", key, modulo, "x-asm-prefer-tag", policiesOf(ranges, tags), options);
}

function tagAt(rule: TaggingRule, bucket: u32): string {
  const out = new Decision();
  decideBucket(rule, bucket, out);
  expect(out.bucket).toBe(bucket);
  return out.kind == OutcomeKind.Policy ? rule.policies[out.index].tagValue : "<none>";
}

/** What the decision is for a key: the tag, "<past last range>", "<no key>", "<too long>" or "override:<tag>". */
function decision(rule: TaggingRule, key: string): string {
  const bytes = String.UTF8.encode(key);
  const out = new Decision();
  decideKey(rule, changetype<usize>(bytes), bytes.byteLength, out);
  if (out.kind == OutcomeKind.Override) return "override:" + rule.overrides!.tags[out.index].value;
  if (out.kind == OutcomeKind.NoKey) return "<no key>";
  if (out.kind == OutcomeKind.KeyTooLong) return "<too long>";
  return out.kind == OutcomeKind.PastLastRange ? "<past last range>" : rule.policies[out.index].tagValue;
}

function keyOf(rule: TaggingRule, header: string): string {
  const bytes = String.UTF8.encode(header);
  const found = keyIn(rule.key.source, rule.key.nameBytes, changetype<usize>(bytes), bytes.byteLength);
  return found == NO_SPAN ? "<no key>" : String.UTF8.decodeUnsafe(spanPtr(found), spanLength(found));
}

function bucketFor(rule: TaggingRule, key: string): u32 {
  const bytes = String.UTF8.encode(key);
  return bucketOfState(rule, keyHashState(rule, changetype<usize>(bytes), bytes.byteLength));
}

function plainHash(text: string): u32 {
  const bytes = String.UTF8.encode(text);
  return fnv1a32(changetype<usize>(bytes), bytes.byteLength);
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
    expect(bucketFor(rule, "jack")).toBe(2);
    expect(decision(rule, "jack")).toBe("s2");
  });
  it("continues from the seed's state, and finalizes with fmix32 for fnv1a32-fmix32", () => {
    const options = new RuleOptions();
    options.seed = "exp-1";
    const seeded = ruleOf(1000, [1000], ["a"], options);
    expect(bucketFor(seeded, "jack")).toBe(plainHash("exp-1:jack") % 1000);
    const mixed = new RuleOptions();
    mixed.seed = "exp-1";
    mixed.hash = HashVariant.Fnv1a32Fmix32;
    expect(bucketFor(ruleOf(1000, [1000], ["a"], mixed), "jack")).toBe(fmix32(plainHash("exp-1:jack")) % 1000);
  });
  it("decodes a query key before hashing it", () => {
    const rule = ruleOf(100, [100], ["a"], new RuleOptions(), new RuleKey(KeySource.Query, "uid"));
    expect(bucketFor(rule, "j%61ck")).toBe(bucketFor(rule, "jack"));
    expect(bucketFor(rule, "jack")).toBe(2);
  });
});

describe("overrides", () => {
  it("pin a key to a tag before hashing, whatever its bucket says", () => {
    const options = new RuleOptions();
    options.overrideKeys = ["jack", "bob"];
    options.overrideTags = [new Tag("s1"), new Tag("s9")];
    const rule = ruleOf(100, [20, 100], ["s2", "s1"], options);
    expect(decision(rule, "jack")).toBe("override:s1");
    expect(decision(rule, "bob")).toBe("override:s9");
    expect(decision(rule, "jackx")).toBe(bucketFor(rule, "jackx") < 20 ? "s2" : "s1");
  });
  it("match a percent-encoded query key by its decoded value", () => {
    const options = new RuleOptions();
    options.overrideKeys = ["jos\u00e9"];
    options.overrideTags = [new Tag("vip")];
    const rule = ruleOf(100, [50], ["s2"], options, new RuleKey(KeySource.Query, "uid"));
    expect(decision(rule, "jos%C3%A9")).toBe("override:vip");
  });
  it("leave a rule without overrides free of a table", () => {
    expect(ruleOf(100, [100], ["a"]).overrides === null).toBe(true);
  });
  it("report a bucket past the last range as such", () => {
    const rule = ruleOf(100, [0], ["never"]);
    expect(decision(rule, "anyone")).toBe("<past last range>");
  });
});

describe("decision kinds", () => {
  it("tell no key, a key over maxKeyBytes, a policy and past the last range apart, with the bucket", () => {
    const options = new RuleOptions();
    options.maxKeyBytes = 4;
    const rule = ruleOf(100, [20, 50], ["s2", "s1"], options);
    expect(decision(rule, "")).toBe("<no key>");
    expect(decision(rule, "jacky")).toBe("<too long>");
    expect(decision(rule, "jack")).toBe("s2");
    const out = new Decision();
    const bytes = String.UTF8.encode("jack");
    decideKey(rule, changetype<usize>(bytes), bytes.byteLength, out);
    expect(out.hashed).toBe(true);
    expect(out.bucket).toBe(2);
    expect(out.index).toBe(0);
  });
  it("hash a key of exactly maxKeyBytes", () => {
    const options = new RuleOptions();
    options.maxKeyBytes = 4;
    expect(decision(ruleOf(100, [100], ["a"], options), "abcd")).toBe("a");
  });
});

describe("keyIn", () => {
  it("takes a header's whole value, a cookie, or a query parameter", () => {
    expect(keyOf(ruleOf(1, [1], ["a"]), "u-1")).toBe("u-1");
    expect(keyOf(ruleOf(1, [1], ["a"]), "")).toBe("<no key>");
    const cookie = ruleOf(1, [1], ["a"], new RuleOptions(), new RuleKey(KeySource.Cookie, "uid"));
    expect(keyOf(cookie, "xuid=1; uid=2")).toBe("2");
    expect(keyOf(cookie, "xuid=1")).toBe("<no key>");
    const query = ruleOf(1, [1], ["a"], new RuleOptions(), new RuleKey(KeySource.Query, "uid"));
    expect(keyOf(query, "/p?uid=j%61ck")).toBe("j%61ck");
    expect(keyOf(query, "/p")).toBe("<no key>");
  });
  it("reads the key from the header the source implies", () => {
    expect(String.UTF8.decode(new RuleKey(KeySource.Cookie, "uid").headerBytes)).toBe("cookie");
    expect(String.UTF8.decode(new RuleKey(KeySource.Query, "uid").headerBytes)).toBe(":path");
    expect(String.UTF8.decode(new RuleKey(KeySource.Header, "x-user-id").headerBytes)).toBe("x-user-id");
  });
});
