// Names of the decision counters. Envoy shows them as `wasmcustom.<name>` in /stats
// (`/stats/prometheus` strips the prefix). Pure, so as-pect tests them.
import { TaggingRule } from "./rules";

const PREFIX = "hash_tagging.";

/** `text` with every character outside [A-Za-z0-9_-] replaced by "_": safe as one stats name segment. */
export function statsSegment(text: string): string {
  let out = "";
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    const safe = <u32>((c | 0x20) - 0x61) < 26 || <u32>(c - 0x30) < 10 || c == 0x5f || c == 0x2d;
    out += safe ? String.fromCharCode(c) : "_";
  }
  return out;
}

/** Requests the rule tagged with `tagValue`. */
export function taggedMetricName(rule: TaggingRule, tagValue: string): string {
  return PREFIX + statsSegment(rule.name) + ".tag." + statsSegment(tagValue);
}

/** Requests whose bucket fell at or past the rule's last range: left untagged. */
export function pastLastRangeMetricName(rule: TaggingRule): string {
  return PREFIX + statsSegment(rule.name) + ".past_last_range";
}

/** Requests without the rule's key header (or with an empty one): left untagged. */
export function noKeyMetricName(rule: TaggingRule): string {
  return PREFIX + statsSegment(rule.name) + ".no_key";
}
