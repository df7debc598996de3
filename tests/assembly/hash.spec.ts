import { fmix32, fnv1a32, fnv1a32From, seededStart } from "../../assembly/hash";

function fnv1a32OfString(text: string): u32 {
  const bytes = String.UTF8.encode(text);
  return fnv1a32(changetype<usize>(bytes), bytes.byteLength);
}

/** A seeded rule's FNV-1a of `key`: continued from the seed's state, as the request path does. */
function seeded(seed: string, key: string): u32 {
  const bytes = String.UTF8.encode(key);
  return fnv1a32From(seededStart(String.UTF8.encode(seed)), changetype<usize>(bytes), bytes.byteLength);
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

// The project's own vectors (assembly/README.md, "Hash test vectors"), computed by the independent TypeScript
// implementation in tests/support/fnv1a.ts; the host suite checks the compiled filter against it too.
describe("seed", () => {
  it("continues FNV-1a after the seed's bytes and ':'", () => {
    expect(seeded("exp-1", "jack")).toBe(0xb6349763);
    expect(seeded("exp-2", "jack")).toBe(0xec91e718);
    expect(seeded("exp-1", "")).toBe(0xabd510b0);
    expect(seeded("exp-1", "jack")).toBe(fnv1a32OfString("exp-1:jack"));
  });
  it("keeps seeds that differ only in their last byte apart (the separator makes the key follow it)", () => {
    expect(seeded("ab", "c")).not.toBe(seeded("a", "bc"));
  });
});

describe("fmix32", () => {
  it("matches murmur3's finalizer: murmur3_32 of the empty input with seed s is fmix32(s)", () => {
    // Published MurmurHash3_x86_32 vectors for the empty input: seed 0 -> 0, seed 1 -> 0x514e28b7,
    // seed 0xffffffff -> 0x81f16f39.
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
    expect(fmix32(0xffffffff)).toBe(0x81f16f39);
  });
  it("finalizes FNV-1a (the fnv1a32-fmix32 vectors)", () => {
    expect(fmix32(fnv1a32OfString(""))).toBe(0xab3e7c0b);
    expect(fmix32(fnv1a32OfString("a"))).toBe(0x1a80b1b3);
    expect(fmix32(fnv1a32OfString("foobar"))).toBe(0x0c0da6dc);
    expect(fmix32(fnv1a32OfString("jack"))).toBe(0xa777273f);
    expect(fmix32(seeded("exp-1", "jack"))).toBe(0x1683a766);
  });
});
