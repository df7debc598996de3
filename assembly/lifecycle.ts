// The hooks Envoy calls. The SDK's own exports are bypassed: they build a Context object for every
// request and look it up in a map, with GC allocations. Here a request costs three VM entries:
// context creation (which root it belongs to), its headers, and its deletion (which also tells
// when a root, and its configuration, is gone).
import { FilterHeadersStatusValues, LogLevelValues, log } from "@solo-io/proxy-runtime/assembly";
import { ActiveConfig } from "./active-config";
import { PassThroughMode } from "./pass-through";
import { parseConfigBytes } from "./config/parser";
import { resetHostBuffers } from "./host/buffers";
import { readPluginConfiguration } from "./host/configuration";
import { freeDecisionLogs } from "./request/decision-log";
import { sidecarRequest } from "./request/pass-through";
import { tagRequest } from "./request/pipeline";
import { bindRequest, configOfRequest, deleteContext, installConfig } from "./roots";

export function proxy_on_context_create(context_id: u32, parent_context_id: u32): void {
  // A root context (parent 0) gets its configuration in proxy_on_configure.
  if (parent_context_id != 0) bindRequest(context_id, parent_context_id);
}

export function proxy_on_configure(root_context_id: u32, configuration_size: u32): u32 {
  resetHostBuffers();
  const accepted = configure(root_context_id, configuration_size);
  // The `minimal` runtime collects only when asked, so requests never run the collector. Here, at
  // the top of a hook, every live object is reachable from a global: the parse's garbage can go,
  // and so can the configurations of roots Envoy deleted once their last request is gone.
  __collect();
  return accepted ? 1 : 0;
}

/** A refused configuration leaves the root's earlier one, if any, serving. */
function configure(rootId: u32, size: u32): bool {
  const bytes = readPluginConfiguration(size);
  if (bytes === null) return false;
  // With the accepted/refused line below, dates how long a configuration takes (Envoy's log is timestamped).
  log(LogLevelValues.debug, "configuring: " + bytes.byteLength.toString() + " bytes");
  const result = parseConfigBytes(bytes);
  const config = result.config;
  if (config === null) {
    for (let i = 0; i < result.errors.length; i++) log(LogLevelValues.error, result.errors[i]);
    log(LogLevelValues.warn, "configuration refused (" + result.errors.length.toString() + " error(s) above); nothing of it applied");
    return false;
  }
  installConfig(rootId, new ActiveConfig(config));
  const passThrough = config.passThrough === null ? "" : config.passThrough!.mode == PassThroughMode.TraceId ? " and a trace-id pass-through" : " and a baggage pass-through";
  log(LogLevelValues.info, "configuration accepted: " + config.rules.length.toString() + " rule(s)" + passThrough);
  return true;
}

export function proxy_on_request_headers(context_id: u32, header_count: u32, end_of_stream: u32): FilterHeadersStatusValues {
  const active = configOfRequest(context_id);
  if (active === null) return FilterHeadersStatusValues.Continue;
  resetHostBuffers();
  if (active.config.passThrough === null) tagRequest(active);
  else sidecarRequest(active);
  if (active.config.logDecisions) freeDecisionLogs();
  return FilterHeadersStatusValues.Continue;
}

export function proxy_on_delete(context_id: u32): void {
  deleteContext(context_id);
}
