// The pure decision: key bytes -> hash -> override or bucket -> policy. No host calls and no
// allocation: everything works on bytes in linear memory, so as-pect tests it directly and the
// request path can call it on the host's buffers.
import { NO_SPAN, nonEmptySpan } from "./byte-span";
import { cookieValue } from "./cookie";
import { fmix32, fnv1a32From } from "./hash";
import { fnv1a32FromDecoded, queryValue } from "./query";
import { KeySource, TaggingRule } from "./rules";

/** The bucket fell at or past the last range: no policy tags it. */
export const PAST_LAST_RANGE: i32 = -1;
// Overrides are outcomes below this, so one i32 carries every outcome: entry i is FIRST_OVERRIDE - i.
const FIRST_OVERRIDE: i32 = -2;

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
  return PAST_LAST_RANGE;
}

/**
 * The rule's key within the bytes of the header it reads (`rule.headerBytes`): the whole value, a
 * cookie or a query parameter. NO_SPAN when the key is missing or empty (no key).
 */
// @ts-ignore: decorator
@inline export function keyIn(rule: TaggingRule, ptr: usize, length: usize): u64 {
  const source = rule.key.source;
  if (source == KeySource.Header) return nonEmptySpan(ptr, length);
  const name = rule.key.nameBytes;
  if (source == KeySource.Cookie) return cookieValue(ptr, length, changetype<usize>(name), name.byteLength);
  if (source == KeySource.Query) return queryValue(ptr, length, changetype<usize>(name), name.byteLength);
  return NO_SPAN;
}

/** FNV-1a of the rule's seed prefix and the key (a query key percent-decoded), before any finalizer. */
// @ts-ignore: decorator
@inline export function keyHashState(rule: TaggingRule, ptr: usize, length: usize): u32 {
  return rule.key.source == KeySource.Query
    ? fnv1a32FromDecoded(rule.hashStart, ptr, length)
    : fnv1a32From(rule.hashStart, ptr, length);
}

/** The bucket of a key's hash state, through the rule's hash variant. */
// @ts-ignore: decorator
@inline export function bucketOfState(rule: TaggingRule, state: u32): u32 {
  return bucketOf(rule.fmix ? fmix32(state) : state, rule.modulo);
}

/** Whether an outcome of `decide` is an override; its entry is then `overrideEntry(outcome)`. */
// @ts-ignore: decorator
@inline export function isOverride(outcome: i32): bool {
  return outcome <= FIRST_OVERRIDE;
}

// @ts-ignore: decorator
@inline export function overrideEntry(outcome: i32): i32 {
  return FIRST_OVERRIDE - outcome;
}

/**
 * What a rule does with a non-empty key (the `length` bytes at `ptr`, as `keyIn` found them): a
 * policy index (>= 0), PAST_LAST_RANGE, or an override (`isOverride`).
 */
export function decide(rule: TaggingRule, ptr: usize, length: usize): i32 {
  const state = keyHashState(rule, ptr, length);
  const overrides = rule.overrides;
  if (overrides !== null) {
    const entry = overrides.keys.indexOf(state, ptr, length, rule.key.source == KeySource.Query);
    if (entry >= 0) return FIRST_OVERRIDE - entry;
  }
  return policyIndexForBucket(rule, bucketOfState(rule, state));
}
