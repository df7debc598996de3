export { PluginHost, PluginTrap, type ConfigureResult, type LogLine, type RequestResult } from "./plugin-host.ts";
export { HeaderMap } from "./header-map.ts";

import { PLUGIN_WASM } from "../paths.ts";
import { PluginHost } from "./plugin-host.ts";

/** Loads a compiled filter (a path, default the release build, or its bytes) into a fresh host. */
export function loadPlugin(wasm: string | Uint8Array = PLUGIN_WASM, options: { rootId?: string } = {}): Promise<PluginHost> {
  return PluginHost.load(wasm, options);
}
