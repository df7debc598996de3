// What the compiled filter decides for each id, as the filter states it: its own parse of the
// configuration (rules, keys, policies as bucket ranges) and, per id and rule, a decision record
// (outcome, policy or override index, bucket) from its exported decision functions. Nothing here
// recomputes a hash or reads a range; it only names what the filter returned.
import { CliError, EXIT } from "./cli-error.ts";
import { CompiledFilter, type FilterRule, NO_BUCKET, RECORD_WORDS, type RuleRequest } from "./filter-batch.ts";
import { isObject, type PluginConfigSource } from "./plugin-configs.ts";
import { keyHeaderOf, type RequestOptions, ruleRequests } from "./request-inputs.ts";

/** One rule, as the filter parsed it, with the name of the field its policies were written in. */
export interface RuleView extends FilterRule {
  /** `policies` or `partitionedPolicies`: how the configuration wrote the ranges the filter holds. */
  policyField: string;
  /** The rule's object in the configuration as written, to show people what they wrote (seed, hash). */
  config: Record<string, unknown>;
}

export interface RuleDecision {
  rule: string;
  /** The filter's outcome name: policy, override, past_last_range, no_key, key_too_long, out_of_scope. */
  outcome: string;
  /** The policy's index (policy) or the override entry's (override). */
  index?: number;
  tag?: string;
  /** The tag is the rule's defaultTagValue (for an outcome no policy or override tags). */
  defaulted?: boolean;
  /** Absent when the filter hashed nothing (no key, override, out of scope). */
  bucket?: number;
  modulo?: number;
}

/** The lane name of requests a rule leaves untagged with this outcome. */
export const untaggedLane = (outcome: string): string => `(${outcome})`;

/** Ids per batch: enough to make each call into the filter worth it, few enough to keep memory flat. */
export const BATCH_IDS = 8192;

/** The filter with one configuration applied, deciding batches of ids. */
export class FilterDecisions {
  private readonly requests: RuleRequest[];
  /** Per rule: the lane of each (outcome, index), as `lanes[rule][outcome][index]`; the default tag's lane. */
  private readonly lanes: string[][][];
  private readonly defaultLanes: Array<string | undefined>;

  private constructor(
    private readonly filter: CompiledFilter,
    readonly rules: RuleView[],
    readonly outcomes: string[],
    options: RequestOptions,
  ) {
    this.requests = ruleRequests(options, rules);
    this.lanes = rules.map((rule) =>
      outcomes.map((outcome) => {
        if (outcome === "policy") return rule.policies.map((p) => p.tag);
        if (outcome === "override") return rule.overrideTags;
        return [untaggedLane(outcome)];
      }),
    );
    this.defaultLanes = rules.map((rule) => rule.defaultTag ?? undefined);
  }

  /** Loads the filter and applies the configuration; a refused one is a CliError with the filter's first error. */
  static async open(wasmPath: string, source: PluginConfigSource, options: RequestOptions): Promise<FilterDecisions> {
    const filter = await CompiledFilter.load(wasmPath);
    const errors = filter.configure(source.text);
    if (errors.length > 0) {
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more: run validate)` : "";
      throw new CliError(`${source.path}: ${source.subject}: refused by the filter: ${errors[0]}${more}`, EXIT.refused);
    }
    const description = filter.describe();
    const configs = ((source.config as Record<string, unknown>).rules as unknown[]).map((r) => (isObject(r) ? r : {}));
    const rules = description.rules.map(
      (rule, i): RuleView => ({
        ...rule,
        policyField: "partitionedPolicies" in configs[i] ? "partitionedPolicies" : "policies",
        config: configs[i],
      }),
    );
    refuseChainedRules(rules, source);
    return new FilterDecisions(filter, rules, description.outcomes, options);
  }

  /** Each rule's decision records for these ids (see filter-batch.ts). */
  decide(ids: Uint8Array[]): Uint32Array[] {
    return this.filter.decideBatch(ids, this.requests);
  }

  /** The lane of record `i`: its tag, or the outcome in parentheses when the rule leaves it untagged. */
  lane(rule: number, records: Uint32Array, i: number): string {
    const at = i * RECORD_WORDS;
    if (records[at + 3] === 1) return this.defaultLanes[rule]!;
    return this.lanes[rule][records[at]][records[at + 1]];
  }

  /** Record `i` of rule `rule` in words a person or a script reads. */
  decision(rule: number, records: Uint32Array, i: number): RuleDecision {
    const view = this.rules[rule];
    const outcome = this.outcomes[records[i * RECORD_WORDS]];
    const index = records[i * RECORD_WORDS + 1];
    const bucket = records[i * RECORD_WORDS + 2];
    const lane = this.lane(rule, records, i);
    const defaulted = records[i * RECORD_WORDS + 3] === 1;
    return {
      rule: view.name,
      outcome,
      index: outcome === "policy" || outcome === "override" ? index : undefined,
      tag: lane === untaggedLane(outcome) ? undefined : lane,
      defaulted: defaulted || undefined,
      bucket: bucket === NO_BUCKET ? undefined : bucket,
      modulo: bucket === NO_BUCKET ? undefined : view.modulo,
    };
  }
}

/**
 * Rules run in order, so a rule could read a header an earlier rule writes. The CLI decides each rule
 * on the request as sent, so it says it cannot answer for such a configuration rather than guess.
 */
function refuseChainedRules(rules: RuleView[], source: PluginConfigSource): void {
  rules.forEach((rule, i) => {
    const reads = [keyHeaderOf(rule), ...(rule.match?.hosts ? [":authority"] : []), ...(rule.match?.pathPrefixes ? [":path"] : [])];
    const writer = rules.slice(0, i).find((earlier) => reads.includes(earlier.tagHeader));
    if (writer !== undefined) {
      throw new CliError(
        `${source.path}: ${source.subject}: rule ${rule.name} reads ${writer.tagHeader}, which rule ${writer.name} before it writes: the CLI decides each rule on the request as sent, so it cannot answer for this configuration`,
      );
    }
  });
}

/** Why a rule decided as it did, in words, from the filter's record and its ranges. */
export function explain(decision: RuleDecision, rule: RuleView): string {
  const why = outcomeText(decision, rule);
  return decision.defaulted ? `${why}: default tag` : why;
}

function outcomeText(decision: RuleDecision, rule: RuleView): string {
  switch (decision.outcome) {
    case "policy": {
      const policy = rule.policies[decision.index!];
      return `${rule.policyField}[${decision.index}] (buckets ${policy.from}..${policy.to - 1})`;
    }
    case "override":
      return `overrides: the key is listed, tag ${decision.tag}`;
    case "no_key":
      return `no key (${keyName(rule)} absent or empty)`;
    case "key_too_long":
      return `key longer than maxKeyBytes ${rule.maxKeyBytes}: not hashed`;
    case "past_last_range":
      return decision.defaulted ? "past the last range" : "past the last range: no tag";
    case "out_of_scope":
      return "outside the rule's match: left alone";
    default:
      return decision.outcome.replaceAll("_", " ");
  }
}

/** The rule's key for people: `x-user-id`, `cookie uid`, `query uid`. */
export function keyName(rule: FilterRule): string {
  return rule.key.source === "header" ? rule.key.name : `${rule.key.source} ${rule.key.name}`;
}
