// The pure decision: key bytes -> hash -> bucket -> policy. No host calls, so as-pect tests it directly.
import { fnv1a32 } from "./hash";
import { RulePolicy, TaggingRule } from "./rules";

/** The bucket of a hash: unsigned remainder, so every hash lands in 0..modulo-1. */
export function bucketOf(hash: u32, modulo: u32): u32 {
  return hash % modulo;
}

/** The first policy whose range is greater than the bucket, or null when the bucket is past the last range. */
export function policyForBucket(rule: TaggingRule, bucket: u32): RulePolicy | null {
  const policies = rule.policies;
  for (let i = 0, n = policies.length; i < n; i++) {
    const policy = unchecked(policies[i]);
    if (bucket < policy.range) return policy;
  }
  return null;
}

/** The policy that tags a request whose key is `keyLength` bytes at `keyPtr`. */
export function policyForKey(rule: TaggingRule, keyPtr: usize, keyLength: usize): RulePolicy | null {
  return policyForBucket(rule, bucketOf(fnv1a32(keyPtr, keyLength), rule.modulo));
}
