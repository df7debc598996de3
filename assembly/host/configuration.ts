// Reads the plugin configuration's bytes from the host.
import { LogLevelValues, WasmResultValues, log } from "@solo-io/proxy-runtime/assembly";
import * as abi from "@solo-io/proxy-runtime/assembly/imports";
import { releaseHostBytes } from "./buffers";
import { hostBytesPtr, hostBytesSize } from "./headers";

const PLUGIN_CONFIGURATION: u32 = 7;

/**
 * The plugin configuration's bytes (empty when Istio sends none), or null when the host fails to
 * give them. Read as bytes rather than the SDK's decoded string, which hides invalid UTF-8.
 */
export function readPluginConfiguration(size: u32): ArrayBuffer | null {
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
