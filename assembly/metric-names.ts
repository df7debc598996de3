// Names of the decision counters. Envoy shows them as `wasmcustom.<name>` in /stats
// (`/stats/prometheus` strips the prefix). Pure, so as-pect tests them.
import { TaggingRule } from "./rules";

const PREFIX = "hash_tagging.";

// @ts-ignore: decorator
@inline function isStatsSafe(c: i32): bool {
  return <u32>((c | 0x20) - 0x61) < 26 || <u32>(c - 0x30) < 10 || c == 0x5f || c == 0x2d;
}

/** `text` with every character outside [A-Za-z0-9_-] replaced by "_": safe as one stats name segment. */
export function statsSegment(text: string): string {
  const n = text.length;
  let i = 0;
  while (i < n && isStatsSafe(text.charCodeAt(i))) i++;
  if (i == n) return text;
  // Written in place into a string of the same length: linear, where `out += c` in a loop is quadratic.
  const out = changetype<string>(__new(<usize>n << 1, idof<string>()));
  memory.copy(changetype<usize>(out), changetype<usize>(text), <usize>i << 1);
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    store<u16>(changetype<usize>(out) + (<usize>i << 1), isStatsSafe(c) ? <u16>c : 0x5f);
  }
  return out;
}

/**
 * The counter of one outcome of a rule: `hash_tagging.<rule>.<outcome>`, where outcome is
 * `tag.<tagValue>` (made stats-safe), `override`, `default`, `no_key`, `key_too_long` or `past_last_range`.
 */
export function metricName(rule: TaggingRule, outcome: string): string {
  return PREFIX + statsSegment(rule.name) + "." + outcome;
}
