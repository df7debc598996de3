// FNV-1a 32-bit: reproduces the reference deployment's published routing, so it is the default.
const FNV1A_OFFSET_BASIS: u32 = 2166136261;
const FNV1A_PRIME: u32 = 16777619;

/** FNV-1a 32-bit over `length` raw bytes at `ptr`, exactly as received (no decoding). */
export function fnv1a32(ptr: usize, length: usize): u32 {
  let hash = FNV1A_OFFSET_BASIS;
  const end = ptr + length;
  for (let p = ptr; p < end; p++) {
    hash = (hash ^ <u32>load<u8>(p)) * FNV1A_PRIME;
  }
  return hash;
}

/** FNV-1a 32-bit of a string's UTF-8 bytes: for config-time and test use, not the request path. */
export function fnv1a32OfString(text: string): u32 {
  const bytes = String.UTF8.encode(text);
  return fnv1a32(changetype<usize>(bytes), <usize>bytes.byteLength);
}
