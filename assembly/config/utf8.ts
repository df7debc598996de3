// Strict UTF-8 validation (RFC 3629): String.UTF8.decode silently replaces or drops bad bytes,
// which would let a corrupted configuration read as a different, valid one.

/** The offset of the first byte that is not part of valid UTF-8, or -1 when all `length` bytes are valid. */
export function invalidUtf8Offset(ptr: usize, length: i32): i32 {
  let i = 0;
  while (i < length) {
    const b0 = <u32>load<u8>(ptr + i);
    if (b0 < 0x80) {
      i++;
      continue;
    }
    let need = 0;
    let min: u32 = 0;
    let code: u32 = 0;
    if (<u32>(b0 - 0xc2) < 0x1e) { need = 1; min = 0x80; code = b0 & 0x1f; }
    else if ((b0 & 0xf0) == 0xe0) { need = 2; min = 0x800; code = b0 & 0x0f; }
    else if (<u32>(b0 - 0xf0) < 5) { need = 3; min = 0x10000; code = b0 & 0x07; }
    else return i;
    if (i + need >= length) return i;
    for (let k = 1; k <= need; k++) {
      const b = <u32>load<u8>(ptr + i + k);
      if ((b & 0xc0) != 0x80) return i;
      code = (code << 6) | (b & 0x3f);
    }
    if (code < min || code > 0x10ffff || <u32>(code - 0xd800) < 0x800) return i;
    i += need + 1;
  }
  return -1;
}
