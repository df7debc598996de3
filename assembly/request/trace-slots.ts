// Trace-id mode's state: a fixed number of shared-data slots, each holding the last lane recorded
// for one trace value. ABI 0.2.1 shared data has no delete and no expiry, so the slot count bounds
// the memory, and each value carries its own expiry and the whole trace value: a slot another trace
// value took over (a collision) or one past its expiry is seen as such and never applied. A lane is
// written to two slots of its trace value, so it is lost only when other trace values took both.
//
// Slots: h % slots and fmix32(h ^ 0x9e3779b9) % slots (the next one if equal), h = fmix32(fnv1a32(trace value))
//
// Key:   hash-tagging.lanes.<routeHeader>.<traceHeader>.<slot>   (slot in decimal)
// Value: expiry (ns since the epoch, u64 LE) | trace value length (u16 LE) | trace value | tag
//        (a forgotten lane: expiry 0 and no tag)
import { fmix32, fnv1a32 } from "../hash";
import { span } from "./byte-span";

/** Longer trace values are not recorded (nor looked up): they would make every slot that large. */
export const MAX_TRACE_BYTES: usize = 256;
/** Longer tags are not recorded, for the same reason. */
export const MAX_TAG_BYTES: usize = 256;
const EXPIRY_BYTES: usize = 8;
const LENGTH_BYTES: usize = 2;
export const SLOT_HEADER_BYTES: usize = EXPIRY_BYTES + LENGTH_BYTES;
/** The largest value a slot holds. */
export const MAX_SLOT_VALUE_BYTES: usize = SLOT_HEADER_BYTES + MAX_TRACE_BYTES + MAX_TAG_BYTES;
export const KEY_PREFIX = "hash-tagging.lanes.";
// Digits of the largest slot number (slots are at most 1048576, so slot numbers have 7 digits at most).
const MAX_SLOT_DIGITS: i32 = 7;

// What a slot says for a trace value when it holds no tag for it. Neither is a span: spans point at
// real memory, never at addresses 1 or 2.
/** The slot holds this trace value, but its expiry has passed (or the slot is stale for any trace value). */
export const SLOT_EXPIRED: u64 = 1;
/** The slot holds a live lane of another trace value (or bytes that are no slot value at all). */
export const SLOT_COLLIDED: u64 = 2;

// Any odd constant gives a second spread of the hash independent enough of the first (the golden ratio's).
const SECOND_SLOT_SALT: u32 = 0x9e3779b9;

/** The hash both slots of the `length` trace value bytes at `ptr` derive from: FNV-1a, spread by fmix32. */
export function traceHash(ptr: usize, length: usize): u32 {
  return fmix32(fnv1a32(ptr, length));
}

/** A trace value's first slot: the one a restore reads first. */
// @ts-ignore: decorator
@inline export function firstSlot(hash: u32, slots: u32): u32 {
  return hash % slots;
}

/** A trace value's second slot (`first` is firstSlot's): another spread of its hash, never `first` unless there is one slot. */
export function secondSlot(hash: u32, first: u32, slots: u32): u32 {
  const second = fmix32(hash ^ SECOND_SLOT_SALT) % slots;
  return second != first ? second : (first + 1) % slots;
}

/** The shared-data keys of one (route header, trace header) pair, written per request into one buffer. */
export class SlotKeys {
  /** The key of the slot last asked for, in its first `length` bytes. */
  readonly buffer: ArrayBuffer;
  private readonly prefixLength: i32;

  constructor(routeHeader: string, traceHeader: string) {
    const prefix = String.UTF8.encode(KEY_PREFIX + routeHeader + "." + traceHeader + ".");
    const prefixLength = prefix.byteLength;
    const buffer = new ArrayBuffer(prefixLength + MAX_SLOT_DIGITS);
    memory.copy(changetype<usize>(buffer), changetype<usize>(prefix), prefixLength);
    this.prefixLength = prefixLength;
    this.buffer = buffer;
  }

  /** Writes the key of `slot` into `buffer` and returns its length. */
  keyOf(slot: u32): usize {
    let digits = 1;
    for (let rest = slot / 10; rest > 0; rest /= 10) digits++;
    const start = changetype<usize>(this.buffer) + this.prefixLength;
    let rest = slot;
    for (let at = digits - 1; at >= 0; at--) {
      store<u8>(start + at, <u8>(0x30 + rest % 10));
      rest /= 10;
    }
    return <usize>(this.prefixLength + digits);
  }
}

/** The length of the value recording a `traceLength`-byte trace value with a `tagLength`-byte tag. */
// @ts-ignore: decorator
@inline export function slotValueLength(traceLength: usize, tagLength: usize): usize {
  return SLOT_HEADER_BYTES + traceLength + tagLength;
}

/** Whether a trace value and a tag of these lengths are recorded at all. */
// @ts-ignore: decorator
@inline export function recordable(traceLength: usize, tagLength: usize): bool {
  return traceLength - 1 < MAX_TRACE_BYTES && tagLength - 1 < MAX_TAG_BYTES;
}

/** The expiry of a forgotten lane: past at any time, so a restore sees it as expired. */
export const FORGOTTEN: u64 = 0;

/** Writes the slot value (expiry, trace value, tag) at `out`, which has room for slotValueLength bytes; returns that length. */
export function writeSlotValue(out: usize, expiry: u64, trace: usize, traceLength: usize, tag: usize, tagLength: usize): usize {
  store<u64>(out, expiry);
  store<u16>(out + EXPIRY_BYTES, <u16>traceLength);
  memory.copy(out + SLOT_HEADER_BYTES, trace, traceLength);
  memory.copy(out + SLOT_HEADER_BYTES + traceLength, tag, tagLength);
  return slotValueLength(traceLength, tagLength);
}

/**
 * What the `length` slot value bytes at `ptr` hold for the trace value at `trace`, at time `now` (ns):
 * the tag as a span of those bytes when it is this trace value's and not expired; otherwise
 * SLOT_EXPIRED (expiry passed) or SLOT_COLLIDED (another trace value's live lane, or not a slot value).
 */
export function storedTag(ptr: usize, length: usize, trace: usize, traceLength: usize, now: u64): u64 {
  if (length <= SLOT_HEADER_BYTES) return SLOT_COLLIDED;
  const storedLength = <usize>load<u16>(ptr + EXPIRY_BYTES);
  if (storedLength == 0 || SLOT_HEADER_BYTES + storedLength > length) return SLOT_COLLIDED;
  // Before the tag's length is checked: a forgotten lane has none.
  if (now >= load<u64>(ptr)) return SLOT_EXPIRED;
  if (SLOT_HEADER_BYTES + storedLength == length) return SLOT_COLLIDED;
  if (storedLength != traceLength || memory.compare(ptr + SLOT_HEADER_BYTES, trace, traceLength) != 0) return SLOT_COLLIDED;
  const tag = ptr + SLOT_HEADER_BYTES + storedLength;
  return span(tag, length - SLOT_HEADER_BYTES - storedLength);
}
