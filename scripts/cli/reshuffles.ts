// Edits that reshuffle users rather than move a boundary, read from the rules as the filter parsed
// them: another key (source or name), modulo, seed or hash gives every user a new bucket; policies
// in another order hand the same buckets to other lanes; another `match` moves requests in or out.
import { keyName, type RuleView } from "./decisions.ts";

const shown = (value: unknown): string => (value === undefined ? "(unset)" : JSON.stringify(value));
const REBUCKETS = "every user gets a new bucket, so users reshuffle across lanes";

/** The distinct lanes of the non-empty bucket ranges, in bucket order. */
function laneOrder(rule: RuleView): string[] {
  return [...new Set(rule.policies.filter((p) => p.to > p.from).map((p) => p.tag))];
}

const sameSet = (a: string[] | null, b: string[] | null): boolean =>
  a === null || b === null ? a === b : new Set(a).size === new Set(b).size && a.every((x) => b.includes(x));

function matchText(rule: RuleView): string {
  const match = rule.match;
  if (match === null) return "(every request)";
  return [match.hosts && `hosts ${match.hosts.join(", ")}`, match.pathPrefixes && `pathPrefixes ${match.pathPrefixes.join(", ")}`]
    .filter(Boolean)
    .join("; ");
}

export function reshuffleFlags(before: RuleView, after: RuleView): string[] {
  const flags: string[] = [];
  if (before.key.source !== after.key.source || before.key.name !== after.key.name) {
    flags.push(
      `key changed ${keyName(before)} -> ${keyName(after)}: every user is bucketed from another value, so users reshuffle across lanes`,
    );
  }
  if (before.modulo !== after.modulo) flags.push(`modulo changed ${before.modulo} -> ${after.modulo}: ${REBUCKETS}`);
  if (before.hashStart !== after.hashStart)
    flags.push(`seed changed ${shown(before.config.seed)} -> ${shown(after.config.seed)}: ${REBUCKETS}`);
  if (before.fmix32 !== after.fmix32) flags.push(`hash changed ${shown(before.config.hash)} -> ${shown(after.config.hash)}: ${REBUCKETS}`);
  const was = laneOrder(before);
  const is = laneOrder(after);
  const commonWas = was.filter((lane) => is.includes(lane));
  const commonIs = is.filter((lane) => was.includes(lane));
  if (commonWas.join("\0") !== commonIs.join("\0")) {
    flags.push(
      `${after.policyField} reordered (${was.join(", ")} -> ${is.join(", ")}): the same buckets now go to other lanes, so users reshuffle`,
    );
  }
  if (
    !sameSet(before.match?.hosts ?? null, after.match?.hosts ?? null) ||
    !sameSet(before.match?.pathPrefixes ?? null, after.match?.pathPrefixes ?? null)
  ) {
    flags.push(
      `match changed ${matchText(before)} -> ${matchText(after)}: requests enter or leave the rule's scope, so their users change lane`,
    );
  }
  return flags;
}
