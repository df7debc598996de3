import { fnv1a32 } from "../../assembly/hash";

function fnv1a32OfString(text: string): u32 {
  const bytes = String.UTF8.encode(text);
  return fnv1a32(changetype<usize>(bytes), bytes.byteLength);
}

// Published FNV-1a 32-bit test vectors (the FNV reference test suite, fnv-0 "test_fnv1a_32").
describe("fnv1a32", () => {
  it("hashes the empty input to the offset basis", () => {
    expect(fnv1a32OfString("")).toBe(0x811c9dc5);
  });
  it("matches the reference vectors", () => {
    expect(fnv1a32OfString("a")).toBe(0xe40c292c);
    expect(fnv1a32OfString("b")).toBe(0xe70c2de5);
    expect(fnv1a32OfString("foobar")).toBe(0xbf9cf968);
  });
  it("hashes raw bytes, including NUL and bytes above 0x7f", () => {
    const bytes = new Uint8Array(3);
    bytes[0] = 0x00;
    bytes[1] = 0xff;
    bytes[2] = 0x80;
    let expected: u32 = 0x811c9dc5;
    for (let i = 0; i < 3; i++) expected = (expected ^ bytes[i]) * 16777619;
    expect(fnv1a32(bytes.dataStart, 3)).toBe(expected);
  });
});
