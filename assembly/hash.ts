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
