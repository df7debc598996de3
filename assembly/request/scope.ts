// A rule's scope (`match`), checked in place against `:authority` and `:path`. Hosts are compared
// in one form (see host-syntax.ts): case folded, a trailing dot dropped, IP literals canonical.
import { RuleMatch } from "../rules";
import { HOST_FORM_BYTES, authorityHostLength, ipHostForm } from "./host-syntax";
import { asciiLower } from "../ascii";

const DOT: u32 = 0x2e;
// The request's IP host in its one form (a VM runs one request at a time).
const hostForm = memory.data(<i32>HOST_FORM_BYTES);

/** A DNS name character in any case, or "_" which some internal names use. */
// @ts-ignore: decorator
@inline function isNameCharacter(c: u32): bool {
  return (c | 0x20) - 0x61 < 26 || c - 0x30 < 10 || c == 0x2d || c == 0x5f || c == DOT;
}

/** Whether `length` bytes at `ptr`, ASCII case folded, equal `pattern` (already lowercase). */
function equalsFolded(ptr: usize, length: usize, pattern: ArrayBuffer): bool {
  if (<usize>pattern.byteLength != length) return false;
  const expected = changetype<usize>(pattern);
  for (let i: usize = 0; i < length; i++) {
    if (asciiLower(load<u8>(ptr + i)) != <u32>load<u8>(expected + i)) return false;
  }
  return true;
}

/** Whether an IP host's form (`length` bytes at `form`) is one of the exact entries. */
function ipMatches(hosts: StaticArray<ArrayBuffer>, form: usize, length: usize): bool {
  for (let i = 0, count = hosts.length; i < count; i++) {
    const pattern = unchecked(hosts[i]);
    if (<usize>pattern.byteLength == length && memory.compare(changetype<usize>(pattern), form, length) == 0) return true;
  }
  return false;
}

/**
 * Whether an `:authority` (the `length` bytes at `ptr`) is one of `match.hosts`: port ignored, case
 * folded, a trailing dot dropped, IP literals in one form; an entry stored as ".example.com"
 * (written `*.example.com`) takes any host name ending with it. What is not a host matches nothing.
 */
export function hostMatches(match: RuleMatch, ptr: usize, length: usize): bool {
  const hosts = match.hosts;
  if (hosts === null) return true;
  const hostLength = authorityHostLength(ptr, length);
  if (hostLength <= 0) return false;
  let n = <usize>hostLength;
  if (<u32>load<u8>(ptr + n - 1) == DOT) n--;
  if (n == 0) return false;
  const formLength = ipHostForm(ptr, n, hostForm);
  if (formLength < 0) return false;
  if (formLength > 0) return ipMatches(hosts, hostForm, <usize>formLength);
  for (let i: usize = 0; i < n; i++) {
    if (!isNameCharacter(load<u8>(ptr + i))) return false;
  }
  for (let i = 0, count = hosts.length; i < count; i++) {
    const pattern = unchecked(hosts[i]);
    const patternLength = <usize>pattern.byteLength;
    if (<u32>load<u8>(changetype<usize>(pattern)) == DOT) {
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
