// Edits that reshuffle users rather than move a boundary: a new key, modulo, seed or hash recomputes
// every bucket, and reordered policies hand the same buckets to other lanes.
type Rule = Record<string, unknown>;

/** Fields whose change gives every user a new bucket. */
const BUCKET_FIELDS = ["header", "modulo", "seed", "hash"];

const shown = (value: unknown): string => (value === undefined ? "(unset)" : JSON.stringify(value));

/** The distinct tag values of a policy list, in order. */
function laneOrder(policies: unknown): string[] {
  if (!Array.isArray(policies)) return [];
  return [...new Set(policies.map((p) => (typeof p === "object" && p !== null ? (p as Rule).tagValue : undefined)).filter((t): t is string => typeof t === "string"))];
}

export function reshuffleFlags(before: Rule, after: Rule): string[] {
  const flags: string[] = [];
  for (const field of BUCKET_FIELDS) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) {
      flags.push(`${field} changed ${shown(before[field])} -> ${shown(after[field])}: every user gets a new bucket, so users reshuffle across lanes`);
    }
  }
  for (const field of ["policies", "partitionedPolicies"]) {
    const was = laneOrder(before[field]);
    const is = laneOrder(after[field]);
    const sameLanes = was.length === is.length && was.every((lane) => is.includes(lane));
    if (sameLanes && was.join("\0") !== is.join("\0")) {
      flags.push(`${field} reordered (${was.join(", ")} -> ${is.join(", ")}): the same buckets now go to other lanes, so users reshuffle`);
    }
  }
  return flags;
}
