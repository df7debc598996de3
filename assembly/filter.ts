// The only code that touches the proxy ABI: contexts, header reads and writes, logs.
import {
  Context, FilterHeadersStatusValues, LogLevelValues, RootContext, WasmResultValues, log,
} from "@solo-io/proxy-runtime/assembly";
import * as abi from "@solo-io/proxy-runtime/assembly/imports";
import { free } from "@solo-io/proxy-runtime/assembly/malloc";
import { parseConfigBytes } from "./config";
import { PluginConfig, RulePolicy, TaggingRule } from "./rules";
import { bucketOf } from "./tagging";
import { fnv1a32 } from "./hash";
import { policyForBucket } from "./tagging";

const REQUEST_HEADERS: u32 = 0;
const PLUGIN_CONFIGURATION: u32 = 7;

// Out-parameters of the host's byte-returning calls, reused (a VM runs one call at a time).
const hostBytesPtr = memory.data(sizeof<usize>());
const hostBytesSize = memory.data(sizeof<usize>());

export class HashTaggingRoot extends RootContext {
  config: PluginConfig | null = null;

  createContext(context_id: u32): Context {
    return new HashTaggingRequest(context_id, this);
  }

  // Reads the bytes itself rather than the SDK's decoded string, which hides invalid UTF-8.
  onConfigure(configuration_size: u32): bool {
    const bytes = readPluginConfiguration(configuration_size);
    if (bytes === null) return false;
    const result = parseConfigBytes(bytes);
    if (result.config === null) {
      for (let i = 0; i < result.errors.length; i++) {
        log(LogLevelValues.error, result.errors[i]);
      }
      log(LogLevelValues.warn, "configuration refused (" + result.errors.length.toString() + " error(s) above); nothing of it applied");
      return false;
    }
    this.config = result.config;
    log(LogLevelValues.info, "configuration accepted: " + result.config!.rules.length.toString() + " rule(s)");
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
    const config = (this.root_context as HashTaggingRoot).config;
    if (config === null) return FilterHeadersStatusValues.Continue;
    const rules = config.rules;
    for (let i = 0, n = rules.length; i < n; i++) {
      tagRequest(unchecked(rules[i]), config.logDecisions);
    }
    return FilterHeadersStatusValues.Continue;
  }
}

/** Applies one rule: hash the key header's bytes in place and replace the tag header with the winner. */
function tagRequest(rule: TaggingRule, logDecisions: bool): void {
  const key = rule.headerBytes;
  const found = abi.proxy_get_header_map_value(
    REQUEST_HEADERS, changetype<usize>(key), key.byteLength, hostBytesPtr, hostBytesSize,
  );
  if (found != WasmResultValues.Ok) return;
  const valuePtr = load<usize>(hostBytesPtr);
  const valueSize = load<usize>(hostBytesSize);
  // An empty value is treated as absent: some hosts report a missing header as an empty one.
  if (valueSize == 0) return;
  const bucket = bucketOf(fnv1a32(valuePtr, valueSize), rule.modulo);
  free(valuePtr);
  const policy = policyForBucket(rule, bucket);
  if (policy === null) {
    if (logDecisions) logDecision(rule, bucket, null);
    return;
  }
  const tagHeader = rule.tagHeaderBytes;
  const tag = policy.tagValueBytes;
  abi.proxy_replace_header_map_value(
    REQUEST_HEADERS, changetype<usize>(tagHeader), tagHeader.byteLength, changetype<usize>(tag), tag.byteLength,
  );
  if (logDecisions) logDecision(rule, bucket, policy);
}

function logDecision(rule: TaggingRule, bucket: u32, policy: RulePolicy | null): void {
  const outcome = policy === null ? "no tag (past the last range)" : rule.tagHeader + ": " + policy.tagValue;
  log(LogLevelValues.info, rule.name + ": bucket " + bucket.toString() + " of " + rule.modulo.toString() + " -> " + outcome);
}
