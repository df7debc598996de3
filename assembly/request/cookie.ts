// A cookie's value read in place from the `cookie` header (RFC 6265 section 4.2.1:
// `name=value; name2=value2`). No copy: the result points into the header bytes.
import { FOUND_EMPTY, NO_SPAN, nonEmptySpan } from "./byte-span";
import { FNV1A_OFFSET_BASIS, fnv1a32From } from "../hash";
import { OverrideKeys } from "../override-keys";

const SEMICOLON: u8 = 0x3b;
const EQUALS: u8 = 0x3d;

// @ts-ignore: decorator
@inline function isBlank(c: u32): bool {
  return c == 0x20 || c == 0x09;
}

/**
 * The value of the first cookie named exactly `name` (case-sensitive, as cookie names are), as a span
 * of the `length` header bytes at `ptr`; NO_SPAN when there is none or its value is empty. Blanks
 * around pairs, names and values are skipped; the value is kept as sent (quotes included).
 */
export function cookieValue(ptr: usize, length: usize, namePtr: usize, nameLength: usize): u64 {
  const end = ptr + length;
  let p = ptr;
  while (p < end) {
    while (p < end && isBlank(load<u8>(p))) p++;
    const pairStart = p;
    let pairEnd = p;
    while (pairEnd < end && load<u8>(pairEnd) != SEMICOLON) pairEnd++;
    let equals = pairStart;
    while (equals < pairEnd && load<u8>(equals) != EQUALS) equals++;
    if (equals < pairEnd) {
      let nameEnd = equals;
      while (nameEnd > pairStart && isBlank(load<u8>(nameEnd - 1))) nameEnd--;
      if (nameEnd - pairStart == nameLength && memory.compare(pairStart, namePtr, nameLength) == 0) {
        let valueStart = equals + 1;
        let valueEnd = pairEnd;
        while (valueStart < valueEnd && isBlank(load<u8>(valueStart))) valueStart++;
        while (valueEnd > valueStart && isBlank(load<u8>(valueEnd - 1))) valueEnd--;
        return nonEmptySpan(valueStart, valueEnd - valueStart);
      }
    }
    p = pairEnd + 1;
  }
  return NO_SPAN;
}

/**
 * The values of several cookie names in one pass over the header: `found[i]` becomes the span of
 * the first cookie named `names` entry i (FOUND_EMPTY when its value is empty, NO_SPAN when absent).
 * `names` is keyed by plain FNV-1a, so each pair costs one hash of its name and one probe.
 */
export function cookieValuesInto(ptr: usize, length: usize, names: OverrideKeys, found: StaticArray<u64>): void {
  found.fill(NO_SPAN);
  const end = ptr + length;
  let p = ptr;
  while (p < end) {
    while (p < end && isBlank(load<u8>(p))) p++;
    const pairStart = p;
    let pairEnd = p;
    while (pairEnd < end && load<u8>(pairEnd) != SEMICOLON) pairEnd++;
    let equals = pairStart;
    while (equals < pairEnd && load<u8>(equals) != EQUALS) equals++;
    if (equals < pairEnd) {
      let nameEnd = equals;
      while (nameEnd > pairStart && isBlank(load<u8>(nameEnd - 1))) nameEnd--;
      const nameLength = nameEnd - pairStart;
      const entry = names.indexOf(fnv1a32From(FNV1A_OFFSET_BASIS, pairStart, nameLength), pairStart, nameLength, false);
      if (entry >= 0 && unchecked(found[entry]) == NO_SPAN) {
        let valueStart = equals + 1;
        let valueEnd = pairEnd;
        while (valueStart < valueEnd && isBlank(load<u8>(valueStart))) valueStart++;
        while (valueEnd > valueStart && isBlank(load<u8>(valueEnd - 1))) valueEnd--;
        const value = nonEmptySpan(valueStart, valueEnd - valueStart);
        unchecked(found[entry] = value == NO_SPAN ? FOUND_EMPTY : value);
      }
    }
    p = pairEnd + 1;
  }
}
