// Properties a host answers through proxy_get_property, by path (its segments, as the filter sends
// them joined by NUL bytes). Envoy answers some for the whole VM and some per request, such as the
// listener direction; a PluginHost takes both.
import { LISTENER_DIRECTION_PATH } from "./abi.ts";

export type PropertyPath = readonly string[];
export type PropertyValues = ReadonlyMap<string, Uint8Array>;

/** The key a path is kept under: its segments joined as the ABI joins them. */
export function propertyKey(path: PropertyPath): string {
  return path.join("\0");
}

/** A property map from [path, value] pairs. */
export function properties(entries: Iterable<readonly [PropertyPath, Uint8Array]>): Map<string, Uint8Array> {
  return new Map([...entries].map(([path, value]) => [propertyKey(path), value]));
}

/** An integer as Envoy serialises int64 properties: 8 bytes, little endian. */
export function int64Property(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, BigInt(value), true);
  return bytes;
}

/** The per-request properties of a request on a listener with this traffic direction (TrafficDirection). */
export function listenerDirection(direction: number): Map<string, Uint8Array> {
  return properties([[LISTENER_DIRECTION_PATH, int64Property(direction)]]);
}
