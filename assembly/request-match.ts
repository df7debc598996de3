// A rule's scope (`match`), checked in place against `:authority` and `:path`.
import { RuleMatch } from "./rules";

const COLON: u8 = 0x3a;
const CLOSING_BRACKET: u8 = 0x5d;
const DOT: u8 = 0x2e;

// @ts-ignore: decorator
@inline function lowercase(c: u32): u32 {
  return c - 0x41 < 26 ? c | 0x20 : c;
}

/** The length of the host part of an authority: without `:port` (an IPv6 literal keeps its brackets). */
function hostLength(ptr: usize, length: usize): usize {
  let n: usize = 0;
  if (length > 0 && load<u8>(ptr) == 0x5b) {
    while (n < length && load<u8>(ptr + n) != CLOSING_BRACKET) n++;
    return n < length ? n + 1 : length;
  }
  while (n < length && load<u8>(ptr + n) != COLON) n++;
  return n;
}

/** Whether `length` bytes at `ptr`, ASCII case folded, equal `pattern` (already lowercase). */
function equalsFolded(ptr: usize, length: usize, pattern: ArrayBuffer): bool {
  if (<usize>pattern.byteLength != length) return false;
  const expected = changetype<usize>(pattern);
  for (let i: usize = 0; i < length; i++) {
    if (lowercase(load<u8>(ptr + i)) != <u32>load<u8>(expected + i)) return false;
  }
  return true;
}

/**
 * Whether an `:authority` (the `length` bytes at `ptr`) is one of `match.hosts`: port ignored, case
 * folded; an entry stored as ".example.com" (written `*.example.com`) takes any host ending with it.
 */
export function hostMatches(match: RuleMatch, ptr: usize, length: usize): bool {
  const hosts = match.hosts;
  if (hosts === null) return true;
  const n = hostLength(ptr, length);
  for (let i = 0, count = hosts.length; i < count; i++) {
    const pattern = unchecked(hosts[i]);
    const patternLength = <usize>pattern.byteLength;
    if (load<u8>(changetype<usize>(pattern)) == DOT) {
      if (n > patternLength && equalsFolded(ptr + n - patternLength, patternLength, pattern)) return true;
    } else if (equalsFolded(ptr, n, pattern)) {
      return true;
    }
  }
  return false;
}

/** Whether a `:path` (the `length` bytes at `ptr`) starts with one of `match.pathPrefixes`, byte for byte. */
export function pathMatches(match: RuleMatch, ptr: usize, length: usize): bool {
  const prefixes = match.pathPrefixes;
  if (prefixes === null) return true;
  for (let i = 0, count = prefixes.length; i < count; i++) {
    const prefix = unchecked(prefixes[i]);
    const prefixLength = <usize>prefix.byteLength;
    if (prefixLength <= length && memory.compare(ptr, changetype<usize>(prefix), prefixLength) == 0) return true;
  }
  return false;
}
