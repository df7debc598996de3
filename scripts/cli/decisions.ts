// What the compiled filter decided for one request, read from what it did rather than recomputed:
// which decision counter of each rule moved (`hash_tagging.<rule>.<outcome>`), the tag header it
// wrote, and, when the configuration has `debug: {enabled: true}`, the bucket from its log line
// `<rule>: bucket B of M -> ...`. Outcomes are taken from the counter names, so an outcome this file
// has never heard of still comes through, under its counter's name.
import { HeaderMap, type PluginHost, loadPlugin } from "../lib/host/index.ts";
import { CliError, EXIT } from "./cli-error.ts";
import { isObject, type PluginConfigSource } from "./plugin-configs.ts";

const COUNTER_PREFIX = "hash_tagging.";
const TAGGED = "tag";
/** Outcomes that leave the request untagged; any other outcome may have written a tag. */
const UNTAGGED_OUTCOMES = new Set(["past_last_range", "no_key"]);
const DECISION_LOG = /^(.*): bucket (\d+) of (\d+) -> (.*)$/s;

/** One rule of the configuration, as the CLI needs it (names from the config, or the filter's default). */
export interface RuleView {
  name: string;
  /** The rule's object in the configuration, for what only the config says (policies, modulo). */
  config: Record<string, unknown>;
  /** Where the rule reads its key: one of the fields `header`, `cookie` or `query`, and its value. */
  key?: { source: string; name: string };
  tagHeader?: string;
}

const KEY_SOURCES = ["header", "cookie", "query"];

export interface RuleDecision {
  rule: string;
  /** The decision counter's outcome (`tag`, `past_last_range`, `no_key`, ...), `+`-joined if several moved, `none` if none did. */
  outcome: string;
  /** The value the rule wrote into its tag header. */
  tag?: string;
  /** From the filter's decision log line: present only when the filter runs with debug enabled. */
  bucket?: number;
  modulo?: number;
}

/** The lane a decision puts a user in: its tag, or the outcome in parentheses when untagged. */
export function laneOf(decision: RuleDecision): string {
  return decision.tag ?? `(${decision.outcome})`;
}

/** The lane name of requests a rule leaves untagged with this outcome (see laneOf). */
export const untaggedLane = (outcome: string): string => `(${outcome})`;

const text = (bytes: Uint8Array | undefined): string | undefined => (bytes === undefined ? undefined : Buffer.from(bytes).toString("utf8"));

/** The compiled filter with one configuration applied, answering requests with its decisions. */
export class FilterRun {
  private readonly counterRule: number[] = [];
  private readonly counterOutcome: string[] = [];
  private readonly lastValue: number[] = [];
  private readonly ruleByName = new Map<string, number>();

  private constructor(
    private readonly plugin: PluginHost,
    readonly rules: RuleView[],
    readonly source: PluginConfigSource,
  ) {
    rules.forEach((rule, i) => this.ruleByName.set(rule.name, i));
  }

  /**
   * Loads the filter and applies the configuration; a refused one is a CliError with the filter's
   * first error. With `debug`, a copy with `debug: {enabled: true}` is applied afterwards, so decisions
   * carry buckets (the filter logs one line per request then: slower, so only when buckets are needed).
   */
  static async open(wasmPath: string, source: PluginConfigSource, options: { debug: boolean }): Promise<FilterRun> {
    const plugin = await loadPlugin(wasmPath);
    const { accepted, logs } = plugin.configure(source.text);
    if (!accepted) {
      const errors = logs.filter((l) => l.level === "error").map((l) => l.message);
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more: run validate)` : "";
      throw new CliError(`${source.path}: ${source.subject}: refused by the filter: ${errors[0] ?? "no reason logged"}${more}`, EXIT.refused);
    }
    const config = source.config as Record<string, unknown>;
    const applied = options.debug ? JSON.stringify({ ...config, debug: { enabled: true } }) : source.text;
    if (options.debug && !plugin.configure(applied).accepted) {
      throw new CliError(`${source.path}: ${source.subject}: refused once debug is enabled`, EXIT.internal);
    }
    plugin.logs.length = 0;
    const ruleConfigs = (config.rules as unknown[]).map((r) => (isObject(r) ? r : {}));
    const segments = [...new Set([...plugin.counters.keys()].map((name) => name.slice(COUNTER_PREFIX.length).split(".")[0]))];
    if (segments.length !== ruleConfigs.length) {
      throw new CliError(`the filter defined counters for ${segments.length} rule(s), the configuration has ${ruleConfigs.length}`, EXIT.internal);
    }
    const rules = ruleConfigs.map((config, i): RuleView => ({
      // The counter's rule segment is the filter's own name for an unnamed rule.
      name: typeof config.name === "string" ? config.name : segments[i],
      config,
      key: KEY_SOURCES.filter((source) => typeof config[source] === "string").map((source) => ({ source, name: config[source] as string }))[0],
      tagHeader: typeof config.tagHeader === "string" ? config.tagHeader : undefined,
    }));
    const run = new FilterRun(plugin, rules, source);
    run.indexCounters(segments);
    return run;
  }

  /** Rule index and outcome of each counter, in the host's order (the order of its counters map). */
  private indexCounters(segments: string[]): void {
    for (const [name, value] of this.plugin.counters) {
      const [segment, ...rest] = name.slice(COUNTER_PREFIX.length).split(".");
      const outcome = rest[0] === TAGGED ? TAGGED : rest.join(".");
      this.counterRule.push(segments.indexOf(segment));
      this.counterOutcome.push(outcome);
      this.lastValue.push(value);
    }
  }

  /** Runs one request through the filter and reads back each rule's decision. */
  decide(headers: Array<[string, Uint8Array]>): RuleDecision[] {
    const map = new HeaderMap(headers);
    const result = this.plugin.request(map);
    const outcomes: string[][] = this.rules.map(() => []);
    let i = 0;
    for (const value of this.plugin.counters.values()) {
      if (i >= this.lastValue.length) throw new CliError("the filter defined a counter during a request", EXIT.internal);
      if (value !== this.lastValue[i]) {
        outcomes[this.counterRule[i]]?.push(this.counterOutcome[i]);
        this.lastValue[i] = value;
      }
      i++;
    }
    const decisions: RuleDecision[] = this.rules.map((rule, r) => ({ rule: rule.name, outcome: outcomes[r].join("+") || "none" }));
    for (const { message } of result.logs) {
      const line = DECISION_LOG.exec(message);
      const r = line ? this.ruleByName.get(line[1]) : undefined;
      if (line === null || r === undefined) continue;
      decisions[r].bucket = Number(line[2]);
      decisions[r].modulo = Number(line[3]);
      const tagHeader = this.rules[r].tagHeader;
      if (tagHeader !== undefined && line[4].startsWith(`${tagHeader}: `)) decisions[r].tag = line[4].slice(tagHeader.length + 2);
    }
    // The host keeps every log line; nobody reads them after this request.
    this.plugin.logs.length = 0;
    this.rules.forEach((rule, r) => {
      const decision = decisions[r];
      if (decision.tag !== undefined || rule.tagHeader === undefined || UNTAGGED_OUTCOMES.has(decision.outcome)) return;
      const written = text(result.headers.get(rule.tagHeader));
      if (written === undefined) return;
      // A tagging outcome wrote the header; another outcome counts as a tag only if it changed it.
      const sent = () => text(headers.find(([name]) => name.toLowerCase() === rule.tagHeader)?.[1]);
      if (decision.outcome === TAGGED || written !== sent()) decision.tag = written;
    });
    return decisions;
  }
}

/** Why a rule decided as it did, in words; policy index when the bucket and the config's ranges tell it. */
export function explain(decision: RuleDecision, rule: RuleView): string {
  if (decision.outcome === TAGGED && decision.bucket !== undefined && Array.isArray(rule.config.policies)) {
    const policies = rule.config.policies as Array<{ range?: unknown; tagValue?: unknown }>;
    const index = policies.findIndex((p) => typeof p.range === "number" && decision.bucket! < p.range);
    if (index >= 0 && policies[index].tagValue === decision.tag) {
      const from = index === 0 ? 0 : Math.max(...policies.slice(0, index).map((p) => Number(p.range)));
      return `policies[${index}] (buckets ${from}..${Number(policies[index].range) - 1})`;
    }
  }
  if (decision.outcome === "no_key") return `no key (${keyName(rule)} absent or empty)`;
  if (decision.outcome === "past_last_range") return "past the last range: no tag";
  if (decision.outcome === "none") return "no decision counted: the rule did not apply";
  return decision.outcome.replaceAll("_", " ");
}

/** The rule's key for people: `x-user-id`, `cookie uid`, `query uid`. */
export function keyName(rule: RuleView): string {
  if (rule.key === undefined) return "the key";
  return rule.key.source === "header" ? rule.key.name : `${rule.key.source} ${rule.key.name}`;
}
