// ASCII character helpers shared by configure time and the request path: pure, inlined.

/** The value of a hex digit (either case), or -1. */
// @ts-ignore: decorator
@inline export function hexDigitValue(c: u32): i32 {
  if (c - 0x30 < 10) return <i32>(c - 0x30);
  const lower = c | 0x20;
  if (lower - 0x61 < 6) return <i32>(lower - 0x61 + 10);
  return -1;
}

/** A-Z lowered, every other character kept. */
// @ts-ignore: decorator
@inline export function asciiLower(c: u32): u32 {
  return c - 0x41 < 26 ? c | 0x20 : c;
}
