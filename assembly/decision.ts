// The pure decision: a key's hash state -> override or bucket -> policy. No host calls and no
// allocation: it works on bytes in linear memory and writes into a Decision the caller owns, so
// as-pect tests it directly and the request path calls it on the host's buffers.
import { fmix32, fnv1a32From } from "./hash";
import { fnv1a32FromDecoded } from "./request/query";
import { KeySource, TaggingRule } from "./rules";

/** What a rule did with a request. */
export enum OutcomeKind {
  /** A policy tagged it: `index` is the policy's. */
  Policy,
  /** The key is one of the rule's overrides: `index` is the override's entry. */
  Override,
  /** The bucket fell at or past the last range: no policy tags it. */
  PastLastRange,
  /** The request had no key, or an empty one. */
  NoKey,
  /** The key is longer than the rule's `maxKeyBytes`: not hashed. */
  KeyTooLong,
}

/** One rule's decision for one request; reused, so a request never allocates one. */
export class Decision {
  kind: OutcomeKind = OutcomeKind.NoKey;
  /** The policy or override entry, for those kinds. */
  index: i32 = 0;
  /** The bucket, for Policy and PastLastRange. */
  bucket: u32 = 0;

  /** Whether a policy's bucket decided (the kinds that have a bucket). */
  get hashed(): bool {
    return this.kind == OutcomeKind.Policy || this.kind == OutcomeKind.PastLastRange;
  }
}

/** The bucket of a hash: unsigned remainder, so every hash lands in 0..modulo-1. */
export function bucketOf(hash: u32, modulo: u32): u32 {
  return hash % modulo;
}

/** The FNV-1a state of the rule's seed prefix and the key (a query key percent-decoded), before any finalizer. */
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

/** Decides by bucket alone: the first policy whose range is greater than the bucket, else past the last range. */
export function decideBucket(rule: TaggingRule, bucket: u32, out: Decision): void {
  out.bucket = bucket;
  const policies = rule.policies;
  for (let i = 0, n = policies.length; i < n; i++) {
    if (bucket < unchecked(policies[i]).range) {
      out.kind = OutcomeKind.Policy;
      out.index = i;
      return;
    }
  }
  out.kind = OutcomeKind.PastLastRange;
}

/**
 * What a rule does with a non-empty key (the `length` bytes at `ptr`) whose hash state is `state`
 * (`keyHashState`, possibly shared with other rules of the same key and seed).
 */
export function decide(rule: TaggingRule, state: u32, ptr: usize, length: usize, out: Decision): void {
  const overrides = rule.overrides;
  if (overrides !== null) {
    const entry = overrides.keys.indexOf(state, ptr, length, rule.key.source == KeySource.Query);
    if (entry >= 0) {
      out.kind = OutcomeKind.Override;
      out.index = entry;
      return;
    }
  }
  decideBucket(rule, bucketOfState(rule, state), out);
}

/** Decides for a key as a whole, or no key when `length` is 0: what the CLI and the specs ask. */
export function decideKey(rule: TaggingRule, ptr: usize, length: usize, out: Decision): void {
  if (length == 0) {
    out.kind = OutcomeKind.NoKey;
    return;
  }
  if (rule.maxKeyBytes != 0 && length > <usize>rule.maxKeyBytes) {
    out.kind = OutcomeKind.KeyTooLong;
    return;
  }
  decide(rule, keyHashState(rule, ptr, length), ptr, length, out);
}
