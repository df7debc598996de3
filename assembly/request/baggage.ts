// W3C Baggage (https://www.w3.org/TR/baggage/): `baggage: key=value;property, key2=value2`, values
// percent-encoded, possibly split over several `baggage` headers (one list, in order). One member
// is read in place, or the list is rewritten with that member set or removed; every other member
// keeps its bytes and its properties (only the blanks around the commas are dropped).
//
// Limits: the spec asks a propagator to carry at least 64 members and 8192 bytes and lets it drop
// members past that. Nothing is dropped here, whatever the count or size (Envoy's header limit,
// 60 KiB by default, bounds the work). A member that is set goes first, so an SDK that keeps only
// the first 64 members or 8192 bytes still carries it.
import { NO_SPAN, span, spanLength, spanPtr } from "./byte-span";
import { hexDigitValue } from "../ascii";

const COMMA: u8 = 0x2c;
const SEMICOLON: u8 = 0x3b;
const EQUALS: u8 = 0x3d;
const PERCENT: u8 = 0x25;
// Not a span (spans point at real memory, never at address 0): a member with another key.
const OTHER_MEMBER: u64 = u64.MAX_VALUE;

// @ts-ignore: decorator
@inline function isBlank(c: u32): bool {
  return c == 0x20 || c == 0x09;
}

/** A byte a value carries as is (the spec's baggage-octet, minus "%" which starts an escape). */
// @ts-ignore: decorator
@inline function isPlainOctet(c: u32): bool {
  // %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E: visible ASCII but DQUOTE , ; \
  return <u32>(c - 0x21) < 0x5e && c != 0x22 && c != 0x2c && c != 0x3b && c != 0x5c && c != PERCENT;
}

// @ts-ignore: decorator
@inline function hexChar(n: u32): u32 {
  return n < 10 ? 0x30 + n : 0x41 + n - 10;
}

/**
 * The values of one header, in order, as spans. Reused from request to request; it only grows, and
 * outside the GC (raw heap), so filling it on the request path never allocates a GC object.
 */
export class HeaderValues {
  private spans: usize = heap.alloc(4 << 3);
  private capacity: i32 = 4;
  count: i32 = 0;

  clear(): void {
    this.count = 0;
  }

  push(value: u64): void {
    if (this.count == this.capacity) {
      this.capacity <<= 1;
      this.spans = heap.realloc(this.spans, <usize>this.capacity << 3);
    }
    store<u64>(this.spans + (<usize>this.count << 3), value);
    this.count++;
  }

  at(i: i32): u64 {
    return load<u64>(this.spans + (<usize>i << 3));
  }
}

/** Where the list member starting at `p` ends: the next comma, or `end`. */
// @ts-ignore: decorator
@inline function memberEnd(p: usize, end: usize): usize {
  while (p < end && load<u8>(p) != COMMA) p++;
  return p;
}

/**
 * The member in [start, stop) when its key is the `nameLength` bytes at `name`: its raw value
 * (blanks trimmed, properties cut off; maybe empty). OTHER_MEMBER for any other key, or a member
 * without "=" (malformed, left as it is).
 */
function valueIfNamed(start: usize, stop: usize, name: usize, nameLength: usize): u64 {
  let p = start;
  while (p < stop && isBlank(load<u8>(p))) p++;
  if (stop - p < nameLength || memory.compare(p, name, nameLength) != 0) return OTHER_MEMBER;
  p += nameLength;
  while (p < stop && isBlank(load<u8>(p))) p++;
  if (p == stop || load<u8>(p) != EQUALS) return OTHER_MEMBER;
  p++;
  while (p < stop && isBlank(load<u8>(p))) p++;
  let valueEnd = p;
  while (valueEnd < stop && load<u8>(valueEnd) != SEMICOLON) valueEnd++;
  while (valueEnd > p && isBlank(load<u8>(valueEnd - 1))) valueEnd--;
  return span(p, valueEnd - p);
}

/** The raw (percent-encoded) value of the first member named `name`; NO_SPAN when there is none or it is empty. */
export function baggageMember(values: HeaderValues, name: ArrayBuffer): u64 {
  const namePtr = changetype<usize>(name);
  const nameLength = <usize>name.byteLength;
  for (let i = 0; i < values.count; i++) {
    const value = values.at(i);
    const end = spanPtr(value) + spanLength(value);
    for (let p = spanPtr(value); p <= end; ) {
      const stop = memberEnd(p, end);
      const found = valueIfNamed(p, stop, namePtr, nameLength);
      if (found != OTHER_MEMBER) return spanLength(found) == 0 ? NO_SPAN : found;
      p = stop + 1;
    }
  }
  return NO_SPAN;
}

/** The length of `length` bytes at `ptr` percent-encoded as a baggage value. */
export function encodedLength(ptr: usize, length: usize): usize {
  let n = length;
  for (let p = ptr, end = ptr + length; p < end; p++) if (!isPlainOctet(load<u8>(p))) n += 2;
  return n;
}

/** Writes `length` bytes at `ptr` percent-encoded to `out`; returns where the writing ended. */
export function writeEncoded(ptr: usize, length: usize, out: usize): usize {
  for (let p = ptr, end = ptr + length; p < end; p++) {
    const c = <u32>load<u8>(p);
    if (isPlainOctet(c)) {
      store<u8>(out++, <u8>c);
    } else {
      store<u8>(out, PERCENT);
      store<u8>(out + 1, <u8>hexChar(c >> 4));
      store<u8>(out + 2, <u8>hexChar(c & 15));
      out += 3;
    }
  }
  return out;
}

/** Whether the `length` raw bytes at `raw` are exactly the `length` bytes at `ptr` as `writeEncoded` writes them. */
function isEncodingOf(raw: usize, rawLength: usize, ptr: usize, length: usize): bool {
  if (encodedLength(ptr, length) != rawLength) return false;
  let q = raw;
  for (let p = ptr, end = ptr + length; p < end; p++) {
    const c = <u32>load<u8>(p);
    if (isPlainOctet(c)) {
      if (load<u8>(q++) != c) return false;
    } else {
      if (load<u8>(q) != PERCENT || <u32>load<u8>(q + 1) != hexChar(c >> 4) || <u32>load<u8>(q + 2) != hexChar(c & 15)) return false;
      q += 3;
    }
  }
  return true;
}

/**
 * Percent-decodes the `length` bytes at `ptr` in place (decoding only shrinks) and returns the decoded
 * length, or -1 when the result is not a header value (visible ASCII, inner blanks only): a member
 * that decodes to anything else is never written into a header. A "%" without two hex digits stays.
 */
export function decodeInPlace(ptr: usize, length: usize): i32 {
  const end = ptr + length;
  let out = ptr;
  for (let p = ptr; p < end; ) {
    let c = <u32>load<u8>(p++);
    if (c == PERCENT && p + 2 <= end) {
      const high = hexDigitValue(load<u8>(p));
      const low = hexDigitValue(load<u8>(p + 1));
      if ((high | low) >= 0) {
        c = <u32>((high << 4) | low);
        p += 2;
      }
    }
    if (!(c - 0x21 < 0x5e) && !(isBlank(c) && out > ptr)) return -1;
    store<u8>(out++, <u8>c);
  }
  return out > ptr && !isBlank(load<u8>(out - 1)) ? <i32>(out - ptr) : -1;
}

/**
 * Whether setting `name` to the `tagLength` bytes at `tag` (or removing it, when `tagLength` is 0)
 * would change the list. Unchanged means, for a removal: no member named `name`; for a set: one
 * header whose first member is exactly `name=<encoded tag>`, without properties, and no other
 * member named `name`. Answered without allocating.
 */
export function baggageChanges(values: HeaderValues, name: ArrayBuffer, tag: usize, tagLength: usize): bool {
  const namePtr = changetype<usize>(name);
  const nameLength = <usize>name.byteLength;
  const setting = tagLength > 0;
  if (setting && values.count != 1) return true;
  let first = true;
  for (let i = 0; i < values.count; i++) {
    const value = values.at(i);
    const end = spanPtr(value) + spanLength(value);
    for (let p = spanPtr(value); p <= end; ) {
      const stop = memberEnd(p, end);
      const found = valueIfNamed(p, stop, namePtr, nameLength);
      if (found != OTHER_MEMBER) {
        if (!setting || !first) return true;
        // Properties (or anything else) after the value make it a change too.
        let tail = spanPtr(found) + spanLength(found);
        while (tail < stop && isBlank(load<u8>(tail))) tail++;
        if (tail != stop || !isEncodingOf(spanPtr(found), spanLength(found), tag, tagLength)) return true;
      } else if (setting && first) {
        return true;
      }
      first = false;
      p = stop + 1;
    }
  }
  return setting && first;
}

/** The member in [start, stop) with blanks trimmed, or NO_SPAN when nothing is left (an empty member). */
function trimmedMember(start: usize, stop: usize): u64 {
  while (start < stop && isBlank(load<u8>(start))) start++;
  while (stop > start && isBlank(load<u8>(stop - 1))) stop--;
  return stop == start ? NO_SPAN : span(start, stop - start);
}

/**
 * Every member not named `name`, blanks trimmed, in order, each preceded by a comma unless it is
 * the first and `leading` is false; written at `out` unless `out` is 0. Returns the bytes it takes.
 */
function otherMembers(values: HeaderValues, name: ArrayBuffer, leading: bool, out: usize): usize {
  const namePtr = changetype<usize>(name);
  const nameLength = <usize>name.byteLength;
  let size: usize = 0;
  let comma = leading;
  for (let i = 0; i < values.count; i++) {
    const value = values.at(i);
    const end = spanPtr(value) + spanLength(value);
    for (let p = spanPtr(value); p <= end; ) {
      const stop = memberEnd(p, end);
      const member = trimmedMember(p, stop);
      p = stop + 1;
      if (member == NO_SPAN) continue;
      const start = spanPtr(member);
      const length = spanLength(member);
      if (valueIfNamed(start, start + length, namePtr, nameLength) != OTHER_MEMBER) continue;
      if (comma) {
        if (out != 0) store<u8>(out + size, COMMA);
        size++;
      }
      if (out != 0) memory.copy(out + size, start, length);
      size += length;
      comma = true;
    }
  }
  return size;
}

/**
 * The length of the list as one header value with `name` set to the `tagLength` bytes at `tag`
 * (or removed, when `tagLength` is 0): what `writeBaggage` writes. 0 when no member is left.
 */
export function baggageLength(values: HeaderValues, name: ArrayBuffer, tag: usize, tagLength: usize): usize {
  const setting = tagLength > 0;
  const memberLength = setting ? <usize>name.byteLength + 1 + encodedLength(tag, tagLength) : 0;
  return memberLength + otherMembers(values, name, setting, 0);
}

/**
 * Writes the list at `out` (room for `baggageLength` bytes) as one header value: `name` set to the
 * `tagLength` bytes at `tag`, percent-encoded and first, or removed (`tagLength` 0); every other
 * member as it was, in order. The caller owns `out`, so a request allocates nothing the GC must find.
 */
export function writeBaggage(values: HeaderValues, name: ArrayBuffer, tag: usize, tagLength: usize, out: usize): void {
  const nameLength = <usize>name.byteLength;
  const setting = tagLength > 0;
  let others = out;
  if (setting) {
    memory.copy(out, changetype<usize>(name), nameLength);
    store<u8>(out + nameLength, EQUALS);
    others = writeEncoded(tag, tagLength, out + nameLength + 1);
  }
  otherMembers(values, name, setting, others);
}
