// The share of users a rule's configuration means each lane to get, from the config alone: cumulative
// `policies` ranges over the modulo, or `partitionedPolicies` weights. The one place that knows how
// a configuration states its split.
import { untaggedLane } from "./decisions.ts";

type Rule = Record<string, unknown>;

const isEntry = (p: unknown): p is Record<string, unknown> => typeof p === "object" && p !== null;

function fromRanges(modulo: number, policies: unknown[]): Map<string, number> {
  const shares = new Map<string, number>();
  let covered = 0;
  for (const policy of policies.filter(isEntry)) {
    const end = Math.min(Number(policy.range), modulo);
    if (end > covered && typeof policy.tagValue === "string") {
      shares.set(policy.tagValue, (shares.get(policy.tagValue) ?? 0) + (end - covered) / modulo);
      covered = end;
    }
  }
  if (covered < modulo) shares.set(untaggedLane("past_last_range"), (modulo - covered) / modulo);
  return shares;
}

function fromWeights(policies: unknown[]): Map<string, number> | undefined {
  const weighted = policies.filter(isEntry).filter((p) => typeof p.weight === "number" && typeof p.tagValue === "string");
  const total = weighted.reduce((sum, p) => sum + (p.weight as number), 0);
  if (weighted.length !== policies.length || total <= 0) return undefined;
  const shares = new Map<string, number>();
  for (const p of weighted) shares.set(p.tagValue as string, (shares.get(p.tagValue as string) ?? 0) + (p.weight as number) / total);
  return shares;
}

/** Intended share (0..1) per lane, or undefined when the rule states its split in a way not known here. */
export function intendedShares(rule: Rule): Map<string, number> | undefined {
  if (Array.isArray(rule.partitionedPolicies)) return fromWeights(rule.partitionedPolicies);
  if (typeof rule.modulo === "number" && rule.modulo > 0 && Array.isArray(rule.policies)) return fromRanges(rule.modulo, rule.policies);
  return undefined;
}
