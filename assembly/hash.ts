// FNV-1a 32-bit: reproduces the reference deployment's published routing, so it is the default.
// A rule's `seed` is hashed once at configure time (see seededStart): a request then only continues
// from that state over the key, paying nothing for the seed.
export const FNV1A_OFFSET_BASIS: u32 = 2166136261;
const FNV1A_PRIME: u32 = 16777619;
// Separates a seed from the key, so that seed "a" + key "bc" differs from seed "ab" + key "c".
const SEED_SEPARATOR: u8 = 0x3a; // ':'

/** One FNV-1a step: the state after one more byte. */
// @ts-ignore: decorator
@inline export function fnv1a32Step(hash: u32, byte: u32): u32 {
  return (hash ^ byte) * FNV1A_PRIME;
}

/**
 * FNV-1a 32-bit continued from `hash` over `length` raw bytes at `ptr`, exactly as received (no
 * decoding). Four bytes per load: a key can be as long as Envoy's header limit, and this halves the
 * instructions per byte of the one-byte loop.
 */
export function fnv1a32From(hash: u32, ptr: usize, length: usize): u32 {
  const end = ptr + length;
  let p = ptr;
  for (; p + 4 <= end; p += 4) {
    const word = load<u32>(p);
    hash = fnv1a32Step(hash, word & 0xff);
    hash = fnv1a32Step(hash, (word >>> 8) & 0xff);
    hash = fnv1a32Step(hash, (word >>> 16) & 0xff);
    hash = fnv1a32Step(hash, word >>> 24);
  }
  for (; p < end; p++) hash = fnv1a32Step(hash, <u32>load<u8>(p));
  return hash;
}

/** FNV-1a 32-bit over `length` raw bytes at `ptr`. */
export function fnv1a32(ptr: usize, length: usize): u32 {
  return fnv1a32From(FNV1A_OFFSET_BASIS, ptr, length);
}

/** The FNV-1a state after the bytes of `seed` and ":": where a seeded rule starts hashing its key. */
export function seededStart(seed: ArrayBuffer): u32 {
  return fnv1a32Step(fnv1a32(changetype<usize>(seed), seed.byteLength), SEED_SEPARATOR);
}

/** murmur3's 32-bit finalizer: spreads FNV-1a's output so that large moduli bucket sequential ids evenly. */
export function fmix32(hash: u32): u32 {
  hash ^= hash >>> 16;
  hash *= 0x85ebca6b;
  hash ^= hash >>> 13;
  hash *= 0xc2b2ae35;
  hash ^= hash >>> 16;
  return hash;
}
