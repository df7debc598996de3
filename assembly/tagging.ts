// The pure decision: hash -> bucket -> policy. No host calls, so as-pect tests it directly.
import { TaggingRule } from "./rules";

/** The bucket of a hash: unsigned remainder, so every hash lands in 0..modulo-1. */
export function bucketOf(hash: u32, modulo: u32): u32 {
  return hash % modulo;
}

/** Index of the first policy whose range is greater than the bucket, or -1 when the bucket is past the last range. */
export function policyIndexForBucket(rule: TaggingRule, bucket: u32): i32 {
  const policies = rule.policies;
  for (let i = 0, n = policies.length; i < n; i++) {
    if (bucket < unchecked(policies[i]).range) return i;
  }
  return -1;
}
