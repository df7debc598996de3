// Host spellings reduced to one form, for `match.hosts`: the config's entries and each request's
// `:authority` go through the same functions, so "[0:0::1]" is "[::1]" and "127.0.0.01" is
// "127.0.0.1". Pure and allocation-free: they write into a buffer the caller gives.
import { hexDigitValue } from "../ascii";

const DOT: u32 = 0x2e;
const COLON: u32 = 0x3a;
const OPEN_BRACKET: u32 = 0x5b;
const CLOSE_BRACKET: u32 = 0x5d;

/** Bytes of an IPv6 address in its one form: "[", the 16 address bytes, "]". */
export const IPV6_FORM_BYTES: usize = 18;
/** Room for any canonical form ("255.255.255.255" or an IPv6 one). */
export const HOST_FORM_BYTES: usize = 18;

/**
 * The IPv4 address of dotted-decimal text (four parts of 1 to 3 digits, each at most 255), or -1.
 * Leading zeros are read as decimal.
 */
export function ipv4Value(ptr: usize, length: usize): i64 {
  let value: u32 = 0;
  let parts = 0;
  let p = ptr;
  const end = ptr + length;
  while (parts < 4) {
    let part: u32 = 0;
    let digits = 0;
    while (p < end && <u32>load<u8>(p) - 0x30 < 10 && digits < 4) {
      part = part * 10 + (<u32>load<u8>(p) - 0x30);
      digits++;
      p++;
    }
    if (digits == 0 || digits > 3 || part > 255) return -1;
    value = (value << 8) | part;
    parts++;
    if (parts < 4) {
      if (p >= end || <u32>load<u8>(p) != DOT) return -1;
      p++;
    }
  }
  return p == end ? <i64>value : -1;
}

/** Whether a part of dotted-decimal text has a leading zero (RFC 4291 writes an IPv6 address's IPv4 tail without). */
function hasLeadingZero(ptr: usize, length: usize): bool {
  for (let i: usize = 0; i + 1 < length; i++) {
    const atPartStart = i == 0 || <u32>load<u8>(ptr + i - 1) == DOT;
    if (atPartStart && <u32>load<u8>(ptr + i) == 0x30 && <u32>load<u8>(ptr + i + 1) - 0x30 < 10) return true;
  }
  return false;
}

/** Writes an IPv4 address as canonical dotted decimal at `out`; returns its length. */
function writeIpv4(value: u32, out: usize): usize {
  let n: usize = 0;
  for (let shift = 24; shift >= 0; shift -= 8) {
    const part = (value >>> shift) & 0xff;
    if (part >= 100) store<u8>(out + n++, <u8>(0x30 + part / 100));
    if (part >= 10) store<u8>(out + n++, <u8>(0x30 + (part / 10) % 10));
    store<u8>(out + n++, <u8>(0x30 + part % 10));
    if (shift > 0) store<u8>(out + n++, <u8>DOT);
  }
  return n;
}

/**
 * Parses the text of an IPv6 address (between the brackets, no zone) into 16 bytes at `out`.
 * Groups of 1 to 4 hex digits, one "::" at most, an IPv4 tail allowed. False when it is not one.
 */
export function parseIpv6(ptr: usize, length: usize, out: usize): bool {
  const end = ptr + length;
  let p = ptr;
  let groups = 0;
  let gap = -1;
  if (length >= 2 && <u32>load<u8>(p) == COLON) {
    if (<u32>load<u8>(p + 1) != COLON) return false;
    gap = 0;
    p += 2;
    if (p == end) {
      memory.fill(out, 0, 16);
      return true;
    }
  }
  while (p < end) {
    if (groups == 8) return false;
    // An IPv4 tail takes the last two groups.
    const groupStart = p;
    let value: u32 = 0;
    let digits = 0;
    while (p < end && digits < 5) {
      const h = hexDigitValue(load<u8>(p));
      if (h < 0) break;
      value = (value << 4) | <u32>h;
      digits++;
      p++;
    }
    if (p < end && <u32>load<u8>(p) == DOT) {
      if (groups > 6 || hasLeadingZero(groupStart, end - groupStart)) return false;
      const v4 = ipv4Value(groupStart, end - groupStart);
      if (v4 < 0) return false;
      store<u8>(out + groups * 2, <u8>(v4 >>> 24));
      store<u8>(out + groups * 2 + 1, <u8>(v4 >>> 16));
      store<u8>(out + groups * 2 + 2, <u8>(v4 >>> 8));
      store<u8>(out + groups * 2 + 3, <u8>v4);
      groups += 2;
      p = end;
      break;
    }
    if (digits == 0 || digits > 4) return false;
    store<u8>(out + groups * 2, <u8>(value >>> 8));
    store<u8>(out + groups * 2 + 1, <u8>value);
    groups++;
    if (p == end) break;
    if (<u32>load<u8>(p) != COLON) return false;
    p++;
    if (p < end && <u32>load<u8>(p) == COLON) {
      if (gap >= 0) return false;
      gap = groups;
      p++;
    } else if (p == end) {
      return false;
    }
  }
  if (gap < 0) return groups == 8;
  if (groups >= 8) return false;
  // Move the groups after the gap to the end, zeros between.
  const tail = (groups - gap) * 2;
  memory.copy(out + 16 - tail, out + gap * 2, tail);
  memory.fill(out + gap * 2, 0, 16 - tail - gap * 2);
  return true;
}

/**
 * Writes the one form of an IP host at `out` (room for HOST_FORM_BYTES): "[" + 16 bytes + "]" for a
 * bracketed IPv6 literal, canonical dotted decimal for IPv4. Returns its length, 0 when the host is
 * not an IP literal, or -1 when it is bracketed but not a valid IPv6 address.
 */
export function ipHostForm(ptr: usize, length: usize, out: usize): isize {
  if (length > 0 && <u32>load<u8>(ptr) == OPEN_BRACKET) {
    if (length < 3 || <u32>load<u8>(ptr + length - 1) != CLOSE_BRACKET) return -1;
    if (!parseIpv6(ptr + 1, length - 2, out + 1)) return -1;
    store<u8>(out, <u8>OPEN_BRACKET);
    store<u8>(out + 17, <u8>CLOSE_BRACKET);
    return <isize>IPV6_FORM_BYTES;
  }
  const v4 = ipv4Value(ptr, length);
  return v4 < 0 ? 0 : <isize>writeIpv4(<u32>v4, out);
}

/**
 * The length of the host of an `:authority` (`length` bytes at `ptr`): without ":port", an IPv6
 * literal with its brackets. -1 when what follows the host is not a port (`[::1]x`, `a:b`).
 */
export function authorityHostLength(ptr: usize, length: usize): isize {
  let n: usize = 0;
  if (length > 0 && <u32>load<u8>(ptr) == OPEN_BRACKET) {
    while (n < length && <u32>load<u8>(ptr + n) != CLOSE_BRACKET) n++;
    if (n == length) return -1;
    n++;
  } else {
    while (n < length && <u32>load<u8>(ptr + n) != COLON) n++;
  }
  if (n == length) return <isize>n;
  if (<u32>load<u8>(ptr + n) != COLON) return -1;
  for (let p = n + 1; p < length; p++) {
    if (<u32>load<u8>(ptr + p) - 0x30 >= 10) return -1;
  }
  return <isize>n;
}
