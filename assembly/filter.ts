// The only code that touches the proxy ABI: configure, the request hook, header reads and writes,
// counters, logs. The SDK's own exports are bypassed: they create a Context object for every
// request and look it up in a map, which costs two more VM entries per request (context create and
// delete) plus GC allocations. Envoy calls proxy_on_request_headers without any context create when
// the module does not export one, so the filter keeps no per-request state at all.
import { FilterHeadersStatusValues, LogLevelValues, RootContext, WasmResultValues, log } from "@solo-io/proxy-runtime/assembly";
import * as abi from "@solo-io/proxy-runtime/assembly/imports";
import { parseConfigBytes } from "./config";
import { fnv1a32 } from "./hash";
import { releaseHostBytes, resetHostBuffers } from "./host-buffers";
import { noKeyMetricName, pastLastRangeMetricName, taggedMetricName } from "./metric-names";
import { PluginConfig, TaggingRule } from "./rules";
import { bucketOf, policyIndexForBucket } from "./tagging";

const REQUEST_HEADERS: u32 = 0;
const PLUGIN_CONFIGURATION: u32 = 7;
const COUNTER: u32 = 0;

// Out-parameters of the host's calls, reused (a VM runs one call at a time).
const hostBytesPtr = memory.data(sizeof<usize>());
const hostBytesSize = memory.data(sizeof<usize>());
const metricIdOut = memory.data(sizeof<u32>());

/** Counter ids for one rule's outcomes, defined with the host once per configuration. */
class RuleCounters {
  readonly tagged: StaticArray<u32>;
  readonly pastLastRange: u32;
  readonly noKey: u32;

  constructor(rule: TaggingRule) {
    const policies = rule.policies;
    this.tagged = new StaticArray<u32>(policies.length);
    for (let i = 0; i < policies.length; i++) this.tagged[i] = defineCounter(taggedMetricName(rule, policies[i].tagValue));
    this.pastLastRange = defineCounter(pastLastRangeMetricName(rule));
    this.noKey = defineCounter(noKeyMetricName(rule));
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
  return FilterHeadersStatusValues.Continue;
}

/** Applies one rule: hash the key header's bytes in place, replace the tag header, count the outcome. */
function tagRequest(rule: TaggingRule, counters: RuleCounters, logDecisions: bool): void {
  const key = rule.headerBytes;
  const found = abi.proxy_get_header_map_value(
    REQUEST_HEADERS, changetype<usize>(key), key.byteLength, hostBytesPtr, hostBytesSize,
  );
  if (found != WasmResultValues.Ok) {
    abi.proxy_increment_metric(counters.noKey, 1);
    return;
  }
  const valuePtr = load<usize>(hostBytesPtr);
  const valueSize = load<usize>(hostBytesSize);
  // An empty value is treated as absent: some hosts report a missing header as an empty one.
  if (valueSize == 0) {
    releaseHostBytes(valuePtr);
    abi.proxy_increment_metric(counters.noKey, 1);
    return;
  }
  const bucket = bucketOf(fnv1a32(valuePtr, valueSize), rule.modulo);
  releaseHostBytes(valuePtr);
  const index = policyIndexForBucket(rule, bucket);
  if (index < 0) {
    abi.proxy_increment_metric(counters.pastLastRange, 1);
    if (logDecisions) logDecision(rule, bucket, -1);
    return;
  }
  const tagHeader = rule.tagHeaderBytes;
  const tag = unchecked(rule.policies[index]).tagValueBytes;
  abi.proxy_replace_header_map_value(
    REQUEST_HEADERS, changetype<usize>(tagHeader), tagHeader.byteLength, changetype<usize>(tag), tag.byteLength,
  );
  abi.proxy_increment_metric(unchecked(counters.tagged[index]), 1);
  if (logDecisions) logDecision(rule, bucket, index);
}

/** Logs one decision (debug.enabled): the only string building a request can do, so it stays here. */
function logDecision(rule: TaggingRule, bucket: u32, policyIndex: i32): void {
  const outcome = policyIndex < 0 ? "no tag (past the last range)" : rule.tagHeader + ": " + rule.policies[policyIndex].tagValue;
  log(LogLevelValues.info, rule.name + ": bucket " + bucket.toString() + " of " + rule.modulo.toString() + " -> " + outcome);
}
