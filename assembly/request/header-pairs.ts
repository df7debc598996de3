// Every value of one header, read from the host's serialised header map (proxy_get_header_map_pairs):
// `proxy_get_header_map_value` gives only the first of repeated headers, and W3C baggage may come
// in several. Layout: u32 count, then a (name length, value length) u32 pair per header, then each
// name and each value followed by a NUL byte. Names arrive lowercase (Envoy keeps them so).
import { NO_SPAN, span, spanLength } from "./byte-span";
import { HeaderValues } from "./baggage";

// Returned by scan() when `firstOnly` found nothing (0 is also "none" for a found empty value).
const NOT_FOUND: u64 = 0;

/** Walks the map; with `out`, adds every value of `name` to it; without, returns the first one's span (maybe empty). */
function scan(ptr: usize, length: usize, name: ArrayBuffer, out: HeaderValues | null): u64 {
  if (length < 4) return NOT_FOUND;
  const count = <usize>load<u32>(ptr);
  const end = ptr + length;
  const sizes = ptr + 4;
  // Guard the count before using it: each header takes at least 8 size bytes and 2 NULs.
  if (count > (length - 4) / 10) return NOT_FOUND;
  const namePtr = changetype<usize>(name);
  const nameLength = <usize>name.byteLength;
  let at = sizes + count * 8;
  for (let i: usize = 0; i < count; i++) {
    const keyLength = <usize>load<u32>(sizes + i * 8);
    const valueLength = <usize>load<u32>(sizes + i * 8 + 4);
    if (keyLength > end - at || valueLength + 2 > end - at - keyLength) return NOT_FOUND;
    const value = at + keyLength + 1;
    if (keyLength == nameLength && memory.compare(at, namePtr, nameLength) == 0) {
      if (out === null) return span(value, valueLength);
      out.push(span(value, valueLength));
    }
    at = value + valueLength + 1;
  }
  return NOT_FOUND;
}

/** Adds to `out` every value of header `name` (lowercase) in the `length` pair bytes at `ptr`, in order; a malformed map adds what it holds up to the flaw. */
export function valuesFromPairs(ptr: usize, length: usize, name: ArrayBuffer, out: HeaderValues): void {
  scan(ptr, length, name, out);
}

/** The first value of header `name` (lowercase) as a span, or NO_SPAN when absent or empty (as a missing header). */
export function firstValueFromPairs(ptr: usize, length: usize, name: ArrayBuffer): u64 {
  const found = scan(ptr, length, name, null);
  return spanLength(found) == 0 ? NO_SPAN : found;
}
