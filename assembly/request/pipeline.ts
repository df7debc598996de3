// One request through a configuration, in one pass down per rule: scope, key, decision, write.
// Reads are shared between rules through the plan (reads.ts); only header writes and counters
// reach the host from here.
import { ActiveConfig } from "../active-config";
import { Decision, OutcomeKind, decide } from "../decision";
import { RuleCounters, count } from "../host/counters";
import { removeHeader, replaceHeader } from "../host/headers";
import { TaggingRule } from "../rules";
import { NO_SPAN, spanLength, spanPtr } from "./byte-span";
import { logDecision } from "./decision-log";
import { RequestPlan } from "./plan";
import { forgetHeader, hashValue, headerValue, keyValue, releaseReads } from "./reads";
import { hostMatches, pathMatches } from "./scope";

// The decision of the rule being applied (a VM runs one request at a time).
const decision = new Decision();

export function tagRequest(active: ActiveConfig): void {
  active.plan.begin();
  applyRules(active);
}

/** The rules over a request that has begun reading through the plan (the pass-through reads its trace header there). */
export function applyRules(active: ActiveConfig): void {
  const plan = active.plan;
  const config = active.config;
  const rules = config.rules;
  const logDecisions = config.logDecisions;
  for (let i = 0, n = rules.length; i < n; i++) {
    applyRule(unchecked(rules[i]), unchecked(active.counters[i]), plan, logDecisions);
  }
  releaseReads(plan);
}

function inScope(rule: TaggingRule, plan: RequestPlan): bool {
  const match = rule.match!;
  if (match.hosts !== null) {
    const authority = headerValue(plan, plan.authorityIndex);
    if (authority == NO_SPAN || !hostMatches(match, spanPtr(authority), spanLength(authority))) return false;
  }
  if (match.pathPrefixes !== null) {
    const path = headerValue(plan, plan.pathIndex);
    if (path == NO_SPAN || !pathMatches(match, spanPtr(path), spanLength(path))) return false;
  }
  return true;
}

function applyRule(rule: TaggingRule, counters: RuleCounters, plan: RequestPlan, logDecisions: bool): void {
  // A rule without `match` pays one null check for the feature.
  if (rule.match !== null && !inScope(rule, plan)) {
    // Out of scope the rule writes nothing, and a client's tag must not survive that either.
    if (rule.removeClientTag) removeClientTag(rule, plan);
    return;
  }
  const key = keyValue(plan, rule.keyIndex);
  const out = decision;
  const length = spanLength(key);
  if (key == NO_SPAN) {
    out.kind = OutcomeKind.NoKey;
  } else if (rule.maxKeyBytes != 0 && length > <usize>rule.maxKeyBytes) {
    out.kind = OutcomeKind.KeyTooLong;
  } else {
    decide(rule, hashValue(plan, rule.hashIndex, key), spanPtr(key), length, out);
  }
  const kind = out.kind;
  if (kind == OutcomeKind.Policy) {
    writeTag(rule, plan, unchecked(rule.policies[out.index]).tagValueBytes);
    count(unchecked(counters.tagged[out.index]));
  } else if (kind == OutcomeKind.Override) {
    writeTag(rule, plan, unchecked(rule.overrides!.tags[out.index]).bytes);
    count(counters.override);
  } else {
    untagged(rule, counters, plan, kind);
  }
  if (logDecisions) logDecision(rule, out);
}

/** No key, a key too long, or past the last range: the default tag if the rule has one, else no tag. */
function untagged(rule: TaggingRule, counters: RuleCounters, plan: RequestPlan, kind: OutcomeKind): void {
  const fallback = rule.defaultTag;
  if (fallback !== null) {
    writeTag(rule, plan, fallback.bytes);
    count(counters.default);
    return;
  }
  count(kind == OutcomeKind.PastLastRange ? counters.pastLastRange : kind == OutcomeKind.NoKey ? counters.noKey : counters.keyTooLong);
  if (rule.removeClientTag) removeClientTag(rule, plan);
}

function writeTag(rule: TaggingRule, plan: RequestPlan, tag: ArrayBuffer): void {
  const index = rule.tagHeaderIndex;
  replaceHeader(rule.tagHeaderBytes, tag);
  unchecked(plan.tagWrittenStamp[index] = plan.generation);
  const source = unchecked(plan.tagHeaderSource[index]);
  if (source >= 0) forgetHeader(plan, source);
}

/** clientTag "remove": the client's tag goes, unless an earlier rule of this request wrote that header. */
function removeClientTag(rule: TaggingRule, plan: RequestPlan): void {
  const index = rule.tagHeaderIndex;
  if (unchecked(plan.tagWrittenStamp[index]) == plan.generation) return;
  removeHeader(rule.tagHeaderBytes);
  const source = unchecked(plan.tagHeaderSource[index]);
  if (source >= 0) forgetHeader(plan, source);
}
