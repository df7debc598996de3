// The only code that touches the proxy ABI: contexts, header reads and writes, counters, logs.
import {
  Context, FilterHeadersStatusValues, LogLevelValues, RootContext, WasmResultValues, log,
} from "@solo-io/proxy-runtime/assembly";
import * as abi from "@solo-io/proxy-runtime/assembly/imports";
import { free } from "@solo-io/proxy-runtime/assembly/malloc";
import { parseConfigBytes } from "./config";
import { fnv1a32 } from "./hash";
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

export class HashTaggingRoot extends RootContext {
  active: ActiveConfig | null = null;

  createContext(context_id: u32): Context {
    return new HashTaggingRequest(context_id, this);
  }

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

/** The plugin configuration's bytes (empty when Istio sends none), or null when the host fails to give them. */
function readPluginConfiguration(size: u32): ArrayBuffer | null {
  if (size == 0) return new ArrayBuffer(0);
  const result = abi.proxy_get_buffer_bytes(PLUGIN_CONFIGURATION, 0, size, hostBytesPtr, hostBytesSize);
  if (result != WasmResultValues.Ok) {
    log(LogLevelValues.error, "cannot read the plugin configuration: host result " + result.toString());
    return null;
  }
  const ptr = load<usize>(hostBytesPtr);
  const bytes = changetype<ArrayBuffer>(ptr).slice(0, <i32>load<usize>(hostBytesSize));
  free(ptr);
  return bytes;
}

class HashTaggingRequest extends Context {
  onRequestHeaders(header_count: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const active = (this.root_context as HashTaggingRoot).active;
    if (active === null) return FilterHeadersStatusValues.Continue;
    const rules = active.config.rules;
    const logDecisions = active.config.logDecisions;
    for (let i = 0, n = rules.length; i < n; i++) {
      tagRequest(unchecked(rules[i]), unchecked(active.counters[i]), logDecisions);
    }
    return FilterHeadersStatusValues.Continue;
  }
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
    if (valuePtr != 0) free(valuePtr);
    abi.proxy_increment_metric(counters.noKey, 1);
    return;
  }
  const bucket = bucketOf(fnv1a32(valuePtr, valueSize), rule.modulo);
  free(valuePtr);
  const index = policyIndexForBucket(rule, bucket);
  if (index < 0) {
    abi.proxy_increment_metric(counters.pastLastRange, 1);
    if (logDecisions) logDecision(rule, bucket, "no tag (past the last range)");
    return;
  }
  const tagHeader = rule.tagHeaderBytes;
  const tag = unchecked(rule.policies[index]).tagValueBytes;
  abi.proxy_replace_header_map_value(
    REQUEST_HEADERS, changetype<usize>(tagHeader), tagHeader.byteLength, changetype<usize>(tag), tag.byteLength,
  );
  abi.proxy_increment_metric(unchecked(counters.tagged[index]), 1);
  if (logDecisions) logDecision(rule, bucket, rule.tagHeader + ": " + unchecked(rule.policies[index]).tagValue);
}

function logDecision(rule: TaggingRule, bucket: u32, outcome: string): void {
  log(LogLevelValues.info, rule.name + ": bucket " + bucket.toString() + " of " + rule.modulo.toString() + " -> " + outcome);
}
