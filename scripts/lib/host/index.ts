export { PluginHost, PluginTrap, type ConfigureResult, type LogLine, type RequestResult } from "./plugin-host.ts";
export { HeaderMap } from "./header-map.ts";

import { PLUGIN_WASM } from "../paths.ts";
import { PluginHost } from "./plugin-host.ts";

/** Loads a compiled filter (default: the release build) into a fresh test host. */
export function loadPlugin(wasmPath = PLUGIN_WASM, options: { rootId?: string } = {}): Promise<PluginHost> {
  return PluginHost.load(wasmPath, options);
}
