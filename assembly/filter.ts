// The only code that touches the proxy ABI: configure, the request hook, header reads and writes,
// counters, logs. The SDK's own exports are bypassed: they create a Context object for every
// request and look it up in a map, which costs more VM entries per request (context create, done,
// delete) plus GC allocations. Envoy calls proxy_on_request_headers without any context create when
// the module does not export one, so the filter keeps no per-request state at all.
import { FilterHeadersStatusValues, LogLevelValues, RootContext, WasmResultValues, log } from "@solo-io/proxy-runtime/assembly";
import * as abi from "@solo-io/proxy-runtime/assembly/imports";
import { NO_SPAN, nonEmptySpan, spanLength, spanPtr } from "./byte-span";
import { parseConfigBytes } from "./config/parser";
import { releaseHostBytes, resetHostBuffers } from "./host-buffers";
import {
  defaultMetricName, noKeyMetricName, overrideMetricName, pastLastRangeMetricName, taggedMetricName,
} from "./metric-names";
import { hostMatches, pathMatches } from "./request-match";
import { KeySource, PluginConfig, TaggingRule } from "./rules";
import { PAST_LAST_RANGE, bucketOfState, decide, isOverride, keyHashState, keyIn, overrideEntry } from "./decision";

const REQUEST_HEADERS: u32 = 0;
const PLUGIN_CONFIGURATION: u32 = 7;
const COUNTER: u32 = 0;

// A counter the rule cannot reach (its outcome goes to another counter): never defined.
const NO_COUNTER: u32 = u32.MAX_VALUE;
const AUTHORITY = String.UTF8.encode(":authority");
const PATH = String.UTF8.encode(":path");

// Out-parameters of the host's calls, reused (a VM runs one call at a time).
const hostBytesPtr = memory.data(sizeof<usize>());
const hostBytesSize = memory.data(sizeof<usize>());
const metricIdOut = memory.data(sizeof<u32>());

/** Counter ids for one rule's outcomes, defined with the host once per configuration; only those it can reach. */
class RuleCounters {
  readonly tagged: StaticArray<u32>;
  readonly pastLastRange: u32;
  readonly noKey: u32;
  readonly override: u32;
  readonly default: u32;

  constructor(rule: TaggingRule) {
    const policies = rule.policies;
    this.tagged = new StaticArray<u32>(policies.length);
    for (let i = 0; i < policies.length; i++) this.tagged[i] = defineCounter(taggedMetricName(rule, policies[i].tagValue));
    // With a defaultTagValue, no key and past the last range are both counted as `default`.
    const hasDefault = rule.defaultTag !== null;
    this.default = hasDefault ? defineCounter(defaultMetricName(rule)) : NO_COUNTER;
    this.pastLastRange = hasDefault ? NO_COUNTER : defineCounter(pastLastRangeMetricName(rule));
    this.noKey = hasDefault ? NO_COUNTER : defineCounter(noKeyMetricName(rule));
    this.override = rule.overrides !== null ? defineCounter(overrideMetricName(rule)) : NO_COUNTER;
  }
}

/** A configuration with its counters: swapped in whole, so a request never sees half of one. */
class ActiveConfig {
  readonly counters: StaticArray<RuleCounters>;

  constructor(readonly config: PluginConfig) {
    const rules = config.rules;
    this.counters = new StaticArray<RuleCounters>(rules.length);
    for (let i = 0; i < rules.length; i++) this.counters[i] = new RuleCounters(rules[i]);
  }
}

/** Counters survive reconfiguration: defining an existing name again gives back the same counter. */
function defineCounter(name: string): u32 {
  const bytes = String.UTF8.encode(name);
  const result = abi.proxy_define_metric(COUNTER, changetype<usize>(bytes), bytes.byteLength, metricIdOut);
  if (result != WasmResultValues.Ok) {
    log(LogLevelValues.warn, "cannot define counter " + name + ": host result " + result.toString() + "; it will stay at 0");
    return u32.MAX_VALUE;
  }
  return load<u32>(metricIdOut);
}

/** The root context: turns each configuration the host delivers into the active one, or refuses it. */
class HashTaggingRoot extends RootContext {
  active: ActiveConfig | null = null;

  // Reads the bytes itself rather than the SDK's decoded string, which hides invalid UTF-8.
  onConfigure(configuration_size: u32): bool {
    const bytes = readPluginConfiguration(configuration_size);
    if (bytes === null) return false;
    // With the accepted/refused line below, dates how long a configuration takes (Envoy's log is timestamped).
    log(LogLevelValues.debug, "configuring: " + bytes.byteLength.toString() + " bytes");
    const result = parseConfigBytes(bytes);
    const config = result.config;
    if (config === null) {
      for (let i = 0; i < result.errors.length; i++) {
        log(LogLevelValues.error, result.errors[i]);
      }
      log(LogLevelValues.warn, "configuration refused (" + result.errors.length.toString() + " error(s) above); nothing of it applied");
      return false;
    }
    this.active = new ActiveConfig(config);
    log(LogLevelValues.info, "configuration accepted: " + config.rules.length.toString() + " rule(s)");
    return true;
  }
}

// One root per VM, whatever root id the host gives it (Istio's is usually empty).
let root: HashTaggingRoot | null = null;

export function proxy_on_configure(root_context_id: u32, configuration_size: u32): u32 {
  resetHostBuffers();
  let current = root;
  if (current === null) root = current = new HashTaggingRoot(root_context_id);
  const accepted = current.onConfigure(configuration_size);
  // The `minimal` runtime collects only when asked, so requests never run the collector. Here, at
  // the top of a hook, every live object is reachable from a global: the parse's garbage can go.
  __collect();
  return accepted ? 1 : 0;
}

/** The plugin configuration's bytes (empty when Istio sends none), or null when the host fails to give them. */
function readPluginConfiguration(size: u32): ArrayBuffer | null {
  if (size == 0) return new ArrayBuffer(0);
  const result = abi.proxy_get_buffer_bytes(PLUGIN_CONFIGURATION, 0, size, hostBytesPtr, hostBytesSize);
  if (result != WasmResultValues.Ok) {
    log(LogLevelValues.error, "cannot read the plugin configuration: host result " + result.toString());
    return null;
  }
  const ptr = load<usize>(hostBytesPtr);
  const length = <i32>load<usize>(hostBytesSize);
  const bytes = new ArrayBuffer(length);
  memory.copy(changetype<usize>(bytes), ptr, length);
  releaseHostBytes(ptr);
  return bytes;
}

export function proxy_on_request_headers(context_id: u32, header_count: u32, end_of_stream: u32): FilterHeadersStatusValues {
  const current = root;
  if (current === null) return FilterHeadersStatusValues.Continue;
  const active = current.active;
  if (active === null) return FilterHeadersStatusValues.Continue;
  resetHostBuffers();
  const rules = active.config.rules;
  const logDecisions = active.config.logDecisions;
  for (let i = 0, n = rules.length; i < n; i++) {
    tagRequest(unchecked(rules[i]), unchecked(active.counters[i]), logDecisions);
  }
  if (logDecisions) freeDecisionLogs();
  return FilterHeadersStatusValues.Continue;
}

/**
 * Decision logs build strings, and the `minimal` runtime collects only when asked: without this, a
 * VM left in debug mode would grow by every line it logged. Called at the top of the hook, where
 * every live object is reachable from a global.
 */
function freeDecisionLogs(): void {
  __collect();
}

/** A request header's value as a span of the host's copy (release it with `releaseHeader`), or NO_SPAN when absent or empty. */
// @ts-ignore: decorator
@inline function readHeader(name: ArrayBuffer): u64 {
  const found = abi.proxy_get_header_map_value(
    REQUEST_HEADERS, changetype<usize>(name), name.byteLength, hostBytesPtr, hostBytesSize,
  );
  if (found != WasmResultValues.Ok) return NO_SPAN;
  const ptr = load<usize>(hostBytesPtr);
  const size = load<usize>(hostBytesSize);
  // An empty value is treated as absent: some hosts report a missing header as an empty one.
  if (size == 0) releaseHostBytes(ptr);
  return nonEmptySpan(ptr, size);
}

// @ts-ignore: decorator
@inline function releaseHeader(value: u64): void {
  if (value != NO_SPAN) releaseHostBytes(spanPtr(value));
}

/**
 * Whether the request is in the rule's scope. Reads :authority only for a `hosts` list, :path only
 * for `pathPrefixes`; a query rule gets the :path it read back (to read its key from), anything else NO_SPAN.
 */
function inScope(rule: TaggingRule): u64 {
  const match = rule.match!;
  if (match.hosts !== null) {
    const authority = readHeader(AUTHORITY);
    const hostOk = authority != NO_SPAN && hostMatches(match, spanPtr(authority), spanLength(authority));
    releaseHeader(authority);
    if (!hostOk) return OUT_OF_SCOPE;
  }
  if (match.pathPrefixes === null) return NO_SPAN;
  const path = readHeader(PATH);
  if (path == NO_SPAN || !pathMatches(match, spanPtr(path), spanLength(path))) {
    releaseHeader(path);
    return OUT_OF_SCOPE;
  }
  if (rule.key.source == KeySource.Query) return path;
  releaseHeader(path);
  return NO_SPAN;
}

// Returned by inScope for a request the rule does not apply to (no host copy is ever at address 0).
const OUT_OF_SCOPE: u64 = 1;
// For the decision log: the request had no key (decide()'s outcomes never take this value).
const NO_KEY_OUTCOME: i32 = i32.MIN_VALUE;

/** Applies one rule: find the key in place, decide, write or remove the tag header, count the outcome. */
function tagRequest(rule: TaggingRule, counters: RuleCounters, logDecisions: bool): void {
  let header: u64 = NO_SPAN;
  // A rule without `match` pays one null check for the feature.
  if (rule.match !== null) {
    header = inScope(rule);
    if (header == OUT_OF_SCOPE) return;
  }
  if (header == NO_SPAN) header = readHeader(rule.headerBytes);
  const key = header == NO_SPAN ? NO_SPAN : keyIn(rule, spanPtr(header), spanLength(header));
  if (key == NO_SPAN) {
    releaseHeader(header);
    untagged(rule, counters, false);
    if (logDecisions) logDecision(rule, NO_KEY_OUTCOME, 0);
    return;
  }
  const keyPtr = spanPtr(key);
  const keyLength = spanLength(key);
  const outcome = decide(rule, keyPtr, keyLength);
  // The bucket is only worked out again for the debug log line.
  const bucket = logDecisions && !isOverride(outcome) ? bucketOfState(rule, keyHashState(rule, keyPtr, keyLength)) : 0;
  releaseHeader(header);
  if (isOverride(outcome)) {
    writeTag(rule, unchecked(rule.overrides!.tags[overrideEntry(outcome)]).bytes);
    abi.proxy_increment_metric(counters.override, 1);
  } else if (outcome >= 0) {
    writeTag(rule, unchecked(rule.policies[outcome]).tagValueBytes);
    abi.proxy_increment_metric(unchecked(counters.tagged[outcome]), 1);
  } else {
    untagged(rule, counters, true);
  }
  if (logDecisions) logDecision(rule, outcome, bucket);
}

/** No key, or past the last range: the default tag if the rule has one, else no tag (and the client's removed under clientTag "remove"). */
function untagged(rule: TaggingRule, counters: RuleCounters, pastLastRange: bool): void {
  const fallback = rule.defaultTag;
  if (fallback !== null) {
    writeTag(rule, fallback.bytes);
    abi.proxy_increment_metric(counters.default, 1);
    return;
  }
  abi.proxy_increment_metric(pastLastRange ? counters.pastLastRange : counters.noKey, 1);
  if (rule.removeClientTag) {
    const tagHeader = rule.tagHeaderBytes;
    abi.proxy_remove_header_map_value(REQUEST_HEADERS, changetype<usize>(tagHeader), tagHeader.byteLength);
  }
}

/** Replaces the tag header: never appended, so a client's own value cannot survive next to ours. */
function writeTag(rule: TaggingRule, tag: ArrayBuffer): void {
  const tagHeader = rule.tagHeaderBytes;
  abi.proxy_replace_header_map_value(
    REQUEST_HEADERS, changetype<usize>(tagHeader), tagHeader.byteLength, changetype<usize>(tag), tag.byteLength,
  );
}

/**
 * Logs one decision (debug.enabled): the only string building a request can do, so it stays here.
 * `outcome` is decide()'s (NO_KEY_OUTCOME when the request had no key); `bucket` counts for hashed outcomes.
 */
function logDecision(rule: TaggingRule, outcome: i32, bucket: u32): void {
  const why = outcome == NO_KEY_OUTCOME ? "no key" : isOverride(outcome) ? "override" : "bucket " + bucket.toString() + " of " + rule.modulo.toString();
  let result: string;
  if (outcome != NO_KEY_OUTCOME && isOverride(outcome)) {
    result = rule.tagHeader + ": " + rule.overrides!.tags[overrideEntry(outcome)].value;
  } else if (outcome >= 0) {
    result = rule.tagHeader + ": " + rule.policies[outcome].tagValue;
  } else if (rule.defaultTag !== null) {
    result = rule.tagHeader + ": " + rule.defaultTag!.value + " (default)";
  } else {
    result = (outcome == PAST_LAST_RANGE ? "no tag (past the last range)" : "no tag") + (rule.removeClientTag ? "; the client's " + rule.tagHeader + " removed" : "");
  }
  log(LogLevelValues.info, rule.name + ": " + why + " -> " + result);
}
