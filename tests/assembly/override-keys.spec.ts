import { FNV1A_OFFSET_BASIS, fnv1a32From } from "../../assembly/hash";
import { OverrideKeys } from "../../assembly/override-keys";

function table(keys: string[], hashStart: u32 = FNV1A_OFFSET_BASIS): OverrideKeys {
  const bytes = new StaticArray<ArrayBuffer>(keys.length);
  for (let i = 0; i < keys.length; i++) bytes[i] = String.UTF8.encode(keys[i]);
  return new OverrideKeys(bytes, hashStart);
}

/** Looks `key` up the way the request path does: hash state first, then the table. */
function find(t: OverrideKeys, key: string, hashStart: u32 = FNV1A_OFFSET_BASIS, encoded: bool = false): i32 {
  const bytes = String.UTF8.encode(key);
  const ptr = changetype<usize>(bytes);
  return t.indexOf(fnv1a32From(hashStart, ptr, bytes.byteLength), ptr, bytes.byteLength, encoded);
}

describe("OverrideKeys", () => {
  it("finds exact keys and nothing else", () => {
    const t = table(["jason", "bob", "j"]);
    expect(find(t, "jason")).toBe(0);
    expect(find(t, "bob")).toBe(1);
    expect(find(t, "j")).toBe(2);
    expect(find(t, "Jason")).toBe(-1);
    expect(find(t, "jaso")).toBe(-1);
    expect(find(t, "jasonx")).toBe(-1);
  });
  it("compares bytes when two keys share a hash state (a state given by hand)", () => {
    const t = table(["a", "b"]);
    const other = String.UTF8.encode("b");
    // Probe with the state of "a" but the bytes of "b": same slot, different bytes, so "a" must not answer.
    const stateOfA = fnv1a32From(FNV1A_OFFSET_BASIS, changetype<usize>(String.UTF8.encode("a")), 1);
    expect(t.indexOf(stateOfA, changetype<usize>(other), 1, false)).toBe(-1);
  });
  it("keys the table by the rule's seeded state", () => {
    const seeded: u32 = 0x12345678;
    const t = table(["jason"], seeded);
    expect(find(t, "jason", seeded)).toBe(0);
    expect(find(t, "jason")).toBe(-1);
  });
  it("compares percent-encoded query keys decoded", () => {
    const t = table(["jos\u00e9 p"]);
    const raw = String.UTF8.encode("jos%C3%A9+p");
    const decodedState = fnv1a32From(FNV1A_OFFSET_BASIS, changetype<usize>(String.UTF8.encode("jos\u00e9 p")), 7);
    expect(t.indexOf(decodedState, changetype<usize>(raw), raw.byteLength, true)).toBe(0);
  });
  it("holds 10,000 keys and finds each", () => {
    const keys = new Array<string>(10000);
    for (let i = 0; i < 10000; i++) keys[i] = "user-" + i.toString();
    const t = table(keys);
    let found = 0;
    for (let i = 0; i < 10000; i++) if (find(t, keys[i]) == i) found++;
    expect(found).toBe(10000);
    expect(find(t, "user-10000")).toBe(-1);
  });
});
