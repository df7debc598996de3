// The decision log of `debug.enabled`: the only string building a request can do.
import { LogLevelValues, log } from "@solo-io/proxy-runtime/assembly";
import { Decision, OutcomeKind } from "../decision";
import { TaggingRule } from "../rules";

/** `canary: bucket 7 of 100 -> x-asm-prefer-tag: s2`, and the like for each outcome. */
export function logDecision(rule: TaggingRule, decision: Decision): void {
  const kind = decision.kind;
  const why = kind == OutcomeKind.NoKey ? "no key"
    : kind == OutcomeKind.KeyTooLong ? "key over maxKeyBytes " + rule.maxKeyBytes.toString()
    : kind == OutcomeKind.Override ? "override"
    : "bucket " + decision.bucket.toString() + " of " + rule.modulo.toString();
  let result: string;
  if (kind == OutcomeKind.Override) {
    result = rule.tagHeader + ": " + rule.overrides!.tags[decision.index].value;
  } else if (kind == OutcomeKind.Policy) {
    result = rule.tagHeader + ": " + rule.policies[decision.index].tagValue;
  } else if (rule.defaultTag !== null) {
    result = rule.tagHeader + ": " + rule.defaultTag!.value + " (default)";
  } else {
    const removed = rule.removeClientTag ? "; the client's " + rule.tagHeader + " removed" : "";
    result = (kind == OutcomeKind.PastLastRange ? "no tag (past the last range)" : "no tag") + removed;
  }
  log(LogLevelValues.info, rule.name + ": " + why + " -> " + result);
}

/**
 * Frees the request's log lines. The `minimal` runtime collects only when asked: without this, a
 * VM left in debug mode would grow by every line it logged. Call it at the top of a hook, where
 * every live object is reachable from a global.
 */
export function freeDecisionLogs(): void {
  __collect();
}
