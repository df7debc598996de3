// Exports only the operator CLI calls (Envoy never does): the filter's own parser and decision
// functions, answering many keys per call, so the CLI restates none of the filter's semantics. They
// keep their own parsed configuration and buffers, apart from the root context the request path uses.
import { quoteJson } from "./config/json-quote";
import { parseConfigBytes } from "./config/parser";
import { Decision, OutcomeKind, decideKey } from "./decision";
import { NO_SPAN, nonEmptySpan, spanLength, spanPtr } from "./request/byte-span";
import { cookieValue } from "./request/cookie";
import { queryValue } from "./request/query";
import { hostMatches } from "./request/scope";
import { KeySource, PluginConfig, RuleMatch, TaggingRule } from "./rules";

/** The filter's outcome kinds by number (OutcomeKind's order), then the CLI's own: outside `match`. */
const OUTCOME_NAMES: string[] = ["policy", "override", "past_last_range", "no_key", "key_too_long", "out_of_scope"];
const OUT_OF_SCOPE: u32 = <u32>OutcomeKind.KeyTooLong + 1;
const KEY_SOURCE_NAMES: string[] = ["header", "cookie", "query"];

/** In the bucket word of a record that hashed nothing (no key, override, out of scope). */
const NO_BUCKET: u32 = u32.MAX_VALUE;
/** Each decision is four u32: outcome, index, bucket, and 1 when the defaultTagValue tagged it. */
const RECORD_BYTES: usize = 16;

let config: PluginConfig | null = null;
// Buffers the CLI writes keys into and reads decisions from, by slot; kept alive by this array.
const buffers = new Array<ArrayBuffer>();
let text = new ArrayBuffer(0);

/** A buffer of at least `size` bytes for slot `slot`, reused while large enough. */
export function cli_buffer(slot: i32, size: i32): usize {
  while (buffers.length <= slot) buffers.push(new ArrayBuffer(0));
  if (buffers[slot].byteLength < size) {
    buffers[slot] = new ArrayBuffer(size);
    // Top of a call: every live object is reachable from a global, so the old buffer can go.
    __collect();
  }
  return changetype<usize>(buffers[slot]);
}

/** Parses the configuration's `length` bytes at `ptr` as the filter does; the rule count, or -1 when refused. */
export function cli_configure(ptr: usize, length: i32): i32 {
  const bytes = new ArrayBuffer(length);
  memory.copy(changetype<usize>(bytes), ptr, length);
  config = parseConfigBytes(bytes).config;
  __collect();
  return config === null ? -1 : config!.rules.length;
}

function list(items: string[]): string {
  return "[" + items.join(",") + "]";
}

function quotedBytes(values: StaticArray<ArrayBuffer> | null): string {
  if (values === null) return "null";
  const items = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) items[i] = quoteJson(String.UTF8.decode(values[i]));
  return list(items);
}

function describeRule(rule: TaggingRule): string {
  const policies = new Array<string>(rule.policies.length);
  let from: u32 = 0;
  for (let i = 0; i < rule.policies.length; i++) {
    const policy = rule.policies[i];
    policies[i] = '{"from":' + from.toString() + ',"to":' + policy.range.toString() + ',"tag":' + quoteJson(policy.tagValue) + "}";
    if (policy.range > from) from = policy.range;
  }
  const overrides = rule.overrides;
  const overrideTags = new Array<string>(overrides === null ? 0 : overrides.tags.length);
  for (let i = 0; i < overrideTags.length; i++) overrideTags[i] = quoteJson(overrides!.tags[i].value);
  const match = rule.match;
  const fallback = rule.defaultTag;
  return '{"name":' + quoteJson(rule.name) +
    ',"key":{"source":' + quoteJson(KEY_SOURCE_NAMES[rule.key.source]) + ',"name":' + quoteJson(rule.key.name) + "}" +
    ',"modulo":' + rule.modulo.toString() +
    ',"hashStart":' + rule.hashStart.toString() +
    ',"fmix32":' + (rule.fmix ? "true" : "false") +
    ',"tagHeader":' + quoteJson(rule.tagHeader) +
    ',"policies":' + list(policies) +
    ',"overrideTags":' + list(overrideTags) +
    ',"defaultTag":' + (fallback === null ? "null" : quoteJson(fallback.value)) +
    ',"removeClientTag":' + (rule.removeClientTag ? "true" : "false") +
    ',"maxKeyBytes":' + rule.maxKeyBytes.toString() +
    ',"match":' + (match === null ? "null" : '{"hosts":' + quotedBytes(match.hosts) + ',"pathPrefixes":' + quotedBytes(match.pathPrefixes) + "}") +
    "}";
}

/**
 * The configured rules as the filter holds them, as UTF-8 JSON at the returned pointer (length from
 * `cli_text_length`): names, keys, hash inputs, policies as bucket ranges, and the outcome names.
 */
export function cli_describe(): usize {
  const rules = config === null ? new StaticArray<TaggingRule>(0) : config!.rules;
  const items = new Array<string>(rules.length);
  for (let i = 0; i < rules.length; i++) items[i] = describeRule(rules[i]);
  const outcomes = new Array<string>(OUTCOME_NAMES.length);
  for (let i = 0; i < OUTCOME_NAMES.length; i++) outcomes[i] = quoteJson(OUTCOME_NAMES[i]);
  text = String.UTF8.encode('{"outcomes":' + list(outcomes) + ',"rules":' + list(items) + "}");
  __collect();
  return changetype<usize>(text);
}

export function cli_text_length(): i32 {
  return text.byteLength;
}

function record(out: usize, kind: u32, index: i32, bucket: u32, defaulted: bool): void {
  store<u32>(out, kind);
  store<i32>(out, index, 4);
  store<u32>(out, bucket, 8);
  store<u32>(out, defaulted ? 1 : 0, 12);
}

const decision = new Decision();

// keyIn and pathMatches are inlined into the request path because it is their only caller; calling
// them here too would make each a call there. So these two restate them over the same functions
// (cookieValue, queryValue: already calls), and tests/cli/filter-agreement.test.ts holds them equal.

/** As request/key-in.ts's keyIn. */
function keyWithin(rule: TaggingRule, value: u64): u64 {
  if (value == NO_SPAN) return NO_SPAN;
  const source = rule.key.source;
  if (source == KeySource.Header) return value;
  const name = rule.key.nameBytes;
  const read = source == KeySource.Cookie ? cookieValue : queryValue;
  return read(spanPtr(value), spanLength(value), changetype<usize>(name), name.byteLength);
}

/** As request/scope.ts's pathMatches. */
function pathWithin(match: RuleMatch, ptr: usize, length: usize): bool {
  const prefixes = match.pathPrefixes!;
  for (let i = 0; i < prefixes.length; i++) {
    const prefix = prefixes[i];
    if (<usize>prefix.byteLength <= length && memory.compare(ptr, changetype<usize>(prefix), prefix.byteLength) == 0) return true;
  }
  return false;
}

/**
 * One request's decision by one rule, as the request path makes it. `value` is what the rule reads
 * (its key header, the Cookie header, or :path for a query rule); `authority` and `path` are for `match`.
 */
function decideRequest(rule: TaggingRule, value: u64, authority: u64, path: u64, out: usize): void {
  const match = rule.match;
  if (match !== null) {
    const hostOut = match.hosts !== null && (authority == NO_SPAN || !hostMatches(match, spanPtr(authority), spanLength(authority)));
    const pathOut = match.pathPrefixes !== null && (path == NO_SPAN || !pathWithin(match, spanPtr(path), spanLength(path)));
    if (hostOut || pathOut) {
      record(out, OUT_OF_SCOPE, 0, NO_BUCKET, false);
      return;
    }
  }
  const key = keyWithin(rule, value);
  decideKey(rule, spanPtr(key), spanLength(key), decision);
  const kind = decision.kind;
  const tagged = kind == OutcomeKind.Policy || kind == OutcomeKind.Override;
  // Whatever no policy or override tags gets the default tag, when the rule has one.
  record(out, <u32>kind, tagged ? decision.index : 0, decision.hashed ? decision.bucket : NO_BUCKET, !tagged && rule.defaultTag !== null);
}

/**
 * Request i's value of one header: with `ends` 0, the same `length` bytes at `data` for every request;
 * otherwise bytes `ends[i-1]..ends[i]` from `data` (u32 offsets, the first from 0).
 */
// @ts-ignore: decorator
@inline function valueAt(data: usize, ends: usize, length: i32, i: i32): u64 {
  // An empty value is absent, as on the request path.
  if (ends == 0) return nonEmptySpan(data, length);
  const start = i == 0 ? 0 : load<u32>(ends + (<usize>(i - 1) << 2));
  return nonEmptySpan(data + start, load<u32>(ends + (<usize>i << 2)) - start);
}

/**
 * Rule `ruleIndex`'s decisions for `count` requests, given per request the value the rule reads (its
 * key header, the Cookie header, or :path for a query rule), `:authority` and `:path`, each as in
 * `valueAt`. Writes `count` records (outcome, index, bucket, defaulted: four u32 each) to `out`.
 */
export function cli_decide(
  ruleIndex: i32, count: i32,
  valueData: usize, valueEnds: usize, valueLength: i32,
  authorityData: usize, authorityEnds: usize, authorityLength: i32,
  pathData: usize, pathEnds: usize, pathLength: i32,
  out: usize,
): void {
  const current = config;
  if (current === null || ruleIndex < 0 || ruleIndex >= current.rules.length) return;
  const rule = current.rules[ruleIndex];
  for (let i = 0; i < count; i++) {
    decideRequest(
      rule,
      valueAt(valueData, valueEnds, valueLength, i),
      valueAt(authorityData, authorityEnds, authorityLength, i),
      valueAt(pathData, pathEnds, pathLength, i),
      out + <usize>i * RECORD_BYTES,
    );
  }
}
