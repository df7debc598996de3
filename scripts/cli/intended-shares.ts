// The share of users a rule means each lane to get, from the bucket ranges the filter holds (whether the
// configuration wrote `policies` ranges or `partitionedPolicies` weights): a policy's share of the modulo.
import { type RuleView, untaggedLane } from "./decisions.ts";

/** Intended share (0..1) per lane: buckets past the last range go to the default tag, or stay untagged. */
export function intendedShares(rule: RuleView): Map<string, number> {
  const shares = new Map<string, number>();
  let covered = 0;
  for (const policy of rule.policies) {
    if (policy.to <= policy.from) continue;
    shares.set(policy.tag, (shares.get(policy.tag) ?? 0) + (policy.to - policy.from) / rule.modulo);
    covered = policy.to;
  }
  if (covered < rule.modulo) {
    const lane = rule.defaultTag ?? untaggedLane("past_last_range");
    shares.set(lane, (shares.get(lane) ?? 0) + (rule.modulo - covered) / rule.modulo);
  }
  return shares;
}
