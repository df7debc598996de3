import { invalidUtf8Offset } from "../../assembly/config/utf8";

function offsetOf(bytes: u8[]): i32 {
  const buffer = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) buffer[i] = bytes[i];
  return invalidUtf8Offset(buffer.dataStart, buffer.length);
}

describe("invalidUtf8Offset", () => {
  it("accepts ASCII and well-formed multi-byte sequences", () => {
    expect(offsetOf([])).toBe(-1);
    expect(offsetOf([0x7b, 0x7d])).toBe(-1);
    expect(offsetOf([0xc3, 0xa9])).toBe(-1);
    expect(offsetOf([0xe2, 0x82, 0xac])).toBe(-1);
    expect(offsetOf([0xf0, 0x9f, 0x98, 0x80])).toBe(-1);
    expect(offsetOf([0xf4, 0x8f, 0xbf, 0xbf])).toBe(-1);
  });
  it("finds stray continuation bytes, truncated sequences and invalid lead bytes", () => {
    expect(offsetOf([0x61, 0x80])).toBe(1);
    expect(offsetOf([0x61, 0xe2, 0x82])).toBe(1);
    expect(offsetOf([0xff])).toBe(0);
    expect(offsetOf([0xc3, 0x41])).toBe(0);
  });
  it("refuses overlong forms, surrogates and code points past U+10FFFF", () => {
    expect(offsetOf([0xc0, 0xaf])).toBe(0);
    expect(offsetOf([0xe0, 0x80, 0xaf])).toBe(0);
    expect(offsetOf([0xed, 0xa0, 0x80])).toBe(0);
    expect(offsetOf([0xf4, 0x90, 0x80, 0x80])).toBe(0);
  });
});
