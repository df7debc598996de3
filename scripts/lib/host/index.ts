export { LISTENER_DIRECTION_PATH, TrafficDirection } from "./abi.ts";
export { type HostClock, ManualClock, realClock } from "./clock.ts";
export { HeaderMap } from "./header-map.ts";
export {
  type ConfigureResult,
  type HostOptions,
  type LogLine,
  PluginHost,
  PluginTrap,
  type RequestOptions,
  type RequestResult,
} from "./plugin-host.ts";
export { int64Property, listenerDirection, properties, propertyKey } from "./properties.ts";
export { SharedData } from "./shared-data.ts";

import { PLUGIN_WASM } from "../paths.ts";
import { type HostOptions, PluginHost } from "./plugin-host.ts";

/** Loads a compiled filter (a path, default the release build, or its bytes) into a fresh host. */
export function loadPlugin(wasm: string | Uint8Array = PLUGIN_WASM, options: HostOptions = {}): Promise<PluginHost> {
  return PluginHost.load(wasm, options);
}
