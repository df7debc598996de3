// Query parameters read in place from `:path`, decoded the way browsers' URLSearchParams decodes
// them (application/x-www-form-urlencoded: `%XX` is a byte, `+` a space, a bad `%` stays as is).
// Decoding happens while comparing or hashing, so a request never builds a decoded copy.
import { FNV1A_OFFSET_BASIS, fnv1a32Step } from "../hash";
import { OverrideKeys } from "../override-keys";
import { FOUND_EMPTY, NO_SPAN, nonEmptySpan } from "./byte-span";
import { hexDigitValue } from "../ascii";

const QUESTION_MARK: u8 = 0x3f;
const HASH_MARK: u8 = 0x23;
const AMPERSAND: u8 = 0x26;
const EQUALS: u8 = 0x3d;
const PLUS: u8 = 0x2b;
const PERCENT: u8 = 0x25;
const SPACE: u32 = 0x20;

/** The byte that the encoded text at `p` (before `end`) decodes to, and how many encoded bytes it used: (used << 8) | byte. */
// @ts-ignore: decorator
@inline function decodeAt(p: usize, end: usize): u32 {
  const c = <u32>load<u8>(p);
  if (c == PLUS) return (1 << 8) | SPACE;
  if (c == PERCENT && p + 2 < end) {
    const high = hexDigitValue(load<u8>(p + 1));
    const low = hexDigitValue(load<u8>(p + 2));
    if ((high | low) >= 0) return (3 << 8) | <u32>((high << 4) | low);
  }
  return (1 << 8) | c;
}

/** Whether the `length` encoded bytes at `ptr` decode to exactly the `expectedLength` bytes at `expected`. */
export function decodedEquals(ptr: usize, length: usize, expected: usize, expectedLength: usize): bool {
  const end = ptr + length;
  const expectedEnd = expected + expectedLength;
  let p = ptr;
  let q = expected;
  while (p < end) {
    if (q == expectedEnd) return false;
    const decoded = decodeAt(p, end);
    if ((decoded & 0xff) != <u32>load<u8>(q)) return false;
    p += decoded >>> 8;
    q++;
  }
  return q == expectedEnd;
}

/** FNV-1a continued from `hash` over the bytes that the `length` encoded bytes at `ptr` decode to. */
export function fnv1a32FromDecoded(hash: u32, ptr: usize, length: usize): u32 {
  const end = ptr + length;
  let p = ptr;
  while (p < end) {
    const decoded = decodeAt(p, end);
    hash = fnv1a32Step(hash, decoded & 0xff);
    p += decoded >>> 8;
  }
  return hash;
}

// The parameter the scan stands on (a VM runs one request at a time): its encoded name and value.
let paramName: usize = 0;
let paramNameLength: usize = 0;
let paramValue: u64 = NO_SPAN;
let paramEnd: usize = 0;

/** Steps onto the parameter after the "?" or "&" at `p`: sets paramName, paramNameLength, paramValue, paramEnd. */
// @ts-ignore: decorator
@inline function readParam(p: usize, end: usize): void {
  const start = p + 1;
  let stop = start;
  while (stop < end && load<u8>(stop) != AMPERSAND) stop++;
  let equals = start;
  while (equals < stop && load<u8>(equals) != EQUALS) equals++;
  const valueStart = equals < stop ? equals + 1 : stop;
  paramName = start;
  paramNameLength = equals - start;
  paramValue = nonEmptySpan(valueStart, stop - valueStart);
  paramEnd = stop;
}

/**
 * The encoded value of the first query parameter of the `length` bytes of `:path` at `ptr` whose
 * decoded name is the `nameLength` bytes at `namePtr`; NO_SPAN when there is none or its value is
 * empty. A non-empty encoded value always decodes to a non-empty one.
 */
export function queryValue(ptr: usize, length: usize, namePtr: usize, nameLength: usize): u64 {
  const end = queryEnd(ptr, length);
  for (let p = queryStart(ptr, end); p < end; p = paramEnd) {
    readParam(p, end);
    if (decodedEquals(paramName, paramNameLength, namePtr, nameLength)) return paramValue;
  }
  return NO_SPAN;
}

/** Where the query of a `:path` ends: at a fragment (which has no business in :path, but is not query) or the end. */
function queryEnd(ptr: usize, length: usize): usize {
  const end = ptr + length;
  for (let f = ptr; f < end; f++) {
    if (load<u8>(f) == HASH_MARK) return f;
  }
  return end;
}

/** The "?" that starts the query, or `end` when there is none. */
function queryStart(ptr: usize, end: usize): usize {
  let p = ptr;
  while (p < end && load<u8>(p) != QUESTION_MARK) p++;
  return p;
}

/**
 * The values of several parameter names in one pass over `:path`: `found[i]` becomes the encoded
 * value of the first parameter whose decoded name is `names` entry i (FOUND_EMPTY when empty,
 * NO_SPAN when absent). `names` is keyed by FNV-1a of the decoded name.
 */
export function queryValuesInto(ptr: usize, length: usize, names: OverrideKeys, found: StaticArray<u64>): void {
  found.fill(NO_SPAN);
  const end = queryEnd(ptr, length);
  for (let p = queryStart(ptr, end); p < end; p = paramEnd) {
    readParam(p, end);
    const entry = names.indexOf(fnv1a32FromDecoded(FNV1A_OFFSET_BASIS, paramName, paramNameLength), paramName, paramNameLength, true);
    if (entry >= 0 && unchecked(found[entry]) == NO_SPAN) unchecked((found[entry] = paramValue == NO_SPAN ? FOUND_EMPTY : paramValue));
  }
}
