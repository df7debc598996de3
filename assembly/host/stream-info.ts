// What Envoy says about the request beyond its headers: the listener's direction and the time.
import { WasmResultValues } from "@solo-io/proxy-runtime/assembly";
import * as abi from "@solo-io/proxy-runtime/assembly/imports";
import { releaseHostBytes } from "./buffers";
import { hostBytesPtr, hostBytesSize } from "./headers";

// Envoy 1.33 removed the top-level `listener_direction`; per request it answers under `xds`
// (measured on 1.40: 8 bytes, int64 LE). Path segments are separated by NUL bytes.
const LISTENER_DIRECTION = String.UTF8.encode("xds\0listener_direction");
export const LISTENER_INBOUND: i64 = 1;
const nanosOut = memory.data(sizeof<u64>());

/** The request's listener direction (traffic_direction: 1 INBOUND, 2 OUTBOUND), 0 when unspecified or not answered. */
export function listenerDirection(): i64 {
  const result = abi.proxy_get_property(changetype<usize>(LISTENER_DIRECTION), LISTENER_DIRECTION.byteLength, hostBytesPtr, hostBytesSize);
  if (result != WasmResultValues.Ok) return 0;
  const ptr = load<usize>(hostBytesPtr);
  const direction: i64 = load<usize>(hostBytesSize) == 8 ? load<i64>(ptr) : 0;
  releaseHostBytes(ptr);
  return direction;
}

/** Nanoseconds since the Unix epoch, as the host's clock says. */
export function nowNanos(): u64 {
  abi.proxy_get_current_time_nanoseconds(nanosOut);
  return load<u64>(nanosOut);
}
