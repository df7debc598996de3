// Every value of one header, read from the host's serialised header map (proxy_get_header_map_pairs):
// `proxy_get_header_map_value` gives only the first of repeated headers, and W3C baggage may come
// in several. Layout: u32 count, then a (name length, value length) u32 pair per header, then each
// name and each value followed by a NUL byte. Names arrive lowercase (Envoy keeps them so).
import { span } from "./byte-span";
import { HeaderValues } from "./baggage";

/** Adds to `out` every value of header `name` (lowercase) in the `length` pair bytes at `ptr`, in order; a malformed map adds what it holds up to the flaw. */
export function valuesFromPairs(ptr: usize, length: usize, name: ArrayBuffer, out: HeaderValues): void {
  if (length < 4) return;
  const count = <usize>load<u32>(ptr);
  const end = ptr + length;
  const sizes = ptr + 4;
  // Guard the count before using it: each header takes at least 8 size bytes and 2 NULs.
  if (count > (length - 4) / 10) return;
  const namePtr = changetype<usize>(name);
  const nameLength = <usize>name.byteLength;
  let at = sizes + count * 8;
  for (let i: usize = 0; i < count; i++) {
    const keyLength = <usize>load<u32>(sizes + i * 8);
    const valueLength = <usize>load<u32>(sizes + i * 8 + 4);
    if (keyLength > end - at || valueLength + 2 > end - at - keyLength) return;
    const value = at + keyLength + 1;
    if (keyLength == nameLength && memory.compare(at, namePtr, nameLength) == 0) out.push(span(value, valueLength));
    at = value + valueLength + 1;
  }
}
