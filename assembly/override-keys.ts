// The exact key values of a rule's `overrides`, found per request without allocating: an
// open-addressing table keyed by the same FNV-1a state the rule hashes its key with, so a request
// hashes its key once for both the lookup and the bucket, then compares bytes in place on a hit.
import { fnv1a32From } from "./hash";
import { decodedEquals } from "./request/query";

export class OverrideKeys {
  /** Entry index + 1 per slot, 0 for an empty slot; at most half full, so every probe ends. */
  private readonly slots: StaticArray<i32>;
  private readonly mask: u32;
  private readonly hashes: StaticArray<u32>;

  /** `keys` must be distinct; `hashStart` is the rule's FNV-1a state before the key. */
  constructor(readonly keys: StaticArray<ArrayBuffer>, hashStart: u32) {
    const count = keys.length;
    let capacity = 2;
    while (capacity < count * 2) capacity <<= 1;
    this.slots = new StaticArray<i32>(capacity);
    this.mask = <u32>capacity - 1;
    this.hashes = new StaticArray<u32>(count);
    for (let i = 0; i < count; i++) {
      const key = keys[i];
      const hash = fnv1a32From(hashStart, changetype<usize>(key), key.byteLength);
      this.hashes[i] = hash;
      let slot = hash & this.mask;
      while (this.slots[slot] != 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = i + 1;
    }
  }

  /**
   * The index of the key equal to the `length` bytes at `ptr` (percent-decoded first when
   * `percentEncoded`), whose FNV-1a state (as the rule computes it) is `hash`; -1 when none is.
   */
  indexOf(hash: u32, ptr: usize, length: usize, percentEncoded: bool): i32 {
    const mask = this.mask;
    let slot = hash & mask;
    for (let entry = unchecked(this.slots[slot]) - 1; entry >= 0; entry = unchecked(this.slots[slot]) - 1) {
      if (unchecked(this.hashes[entry]) == hash && this.keyEquals(entry, ptr, length, percentEncoded)) return entry;
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  private keyEquals(entry: i32, ptr: usize, length: usize, percentEncoded: bool): bool {
    const key = unchecked(this.keys[entry]);
    const keyPtr = changetype<usize>(key);
    const keyLength = <usize>key.byteLength;
    if (percentEncoded) return decodedEquals(ptr, length, keyPtr, keyLength);
    return keyLength == length && memory.compare(ptr, keyPtr, length) == 0;
  }
}
