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

// The pair the scan stands on (a VM runs one request at a time): its name, and where its value lies.
let pairName: usize = 0;
let pairNameLength: usize = 0;
let pairEquals: usize = 0;
let pairEnd: usize = 0;

/**
 * Steps onto the pair starting at `p` (before `end`): sets pairName/pairNameLength (blanks trimmed),
 * pairEquals and pairEnd. False when the pair has no "=" (it names no cookie).
 */
// @ts-ignore: decorator
@inline function readPair(p: usize, end: usize): bool {
  while (p < end && isBlank(load<u8>(p))) p++;
  const start = p;
  let pairStop = p;
  while (pairStop < end && load<u8>(pairStop) != SEMICOLON) pairStop++;
  pairEnd = pairStop;
  let equals = start;
  while (equals < pairStop && load<u8>(equals) != EQUALS) equals++;
  if (equals == pairStop) return false;
  let nameEnd = equals;
  while (nameEnd > start && isBlank(load<u8>(nameEnd - 1))) nameEnd--;
  pairName = start;
  pairNameLength = nameEnd - start;
  pairEquals = equals;
  return true;
}

/** The value of the pair readPair stands on, blanks trimmed, as a span (NO_SPAN when empty). */
// @ts-ignore: decorator
@inline function pairValue(): u64 {
  let valueStart = pairEquals + 1;
  let valueEnd = pairEnd;
  while (valueStart < valueEnd && isBlank(load<u8>(valueStart))) valueStart++;
  while (valueEnd > valueStart && isBlank(load<u8>(valueEnd - 1))) valueEnd--;
  return nonEmptySpan(valueStart, valueEnd - valueStart);
}

/**
 * The value of the first cookie named exactly `name` (case-sensitive, as cookie names are), as a span
 * of the `length` header bytes at `ptr`; NO_SPAN when there is none or its value is empty. Blanks
 * around pairs, names and values are skipped; the value is kept as sent (quotes included).
 */
export function cookieValue(ptr: usize, length: usize, namePtr: usize, nameLength: usize): u64 {
  const end = ptr + length;
  for (let p = ptr; p < end; p = pairEnd + 1) {
    if (readPair(p, end) && pairNameLength == nameLength && memory.compare(pairName, namePtr, nameLength) == 0) return pairValue();
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
  for (let p = ptr; p < end; p = pairEnd + 1) {
    if (!readPair(p, end)) continue;
    const entry = names.indexOf(fnv1a32From(FNV1A_OFFSET_BASIS, pairName, pairNameLength), pairName, pairNameLength, false);
    if (entry >= 0 && unchecked(found[entry]) == NO_SPAN) {
      const value = pairValue();
      unchecked((found[entry] = value == NO_SPAN ? FOUND_EMPTY : value));
    }
  }
}
