import { NO_SPAN, spanLength, spanPtr } from "../../assembly/request/byte-span";
import { HeaderValues } from "../../assembly/request/baggage";
import { firstValueFromPairs, valuesFromPairs } from "../../assembly/request/header-pairs";

const kept = new Array<ArrayBuffer>();

/** The ABI's serialised header map of [name, value] pairs. */
function serialised(pairs: string[][]): ArrayBuffer {
  let size = 4 + pairs.length * 8;
  for (let i = 0; i < pairs.length; i++) size += pairs[i][0].length + pairs[i][1].length + 2;
  const out = new ArrayBuffer(size);
  const p = changetype<usize>(out);
  store<u32>(p, pairs.length);
  let at = p + 4 + pairs.length * 8;
  for (let i = 0; i < pairs.length; i++) {
    store<u32>(p + 4 + i * 8, pairs[i][0].length);
    store<u32>(p + 8 + i * 8, pairs[i][1].length);
    for (let j = 0; j < 2; j++) {
      const bytes = String.UTF8.encode(pairs[i][j]);
      memory.copy(at, changetype<usize>(bytes), bytes.byteLength);
      at += bytes.byteLength;
      store<u8>(at++, 0);
    }
  }
  kept.push(out);
  return out;
}

function found(bytes: ArrayBuffer, length: i32, name: string): string {
  const values = new HeaderValues();
  valuesFromPairs(changetype<usize>(bytes), length, String.UTF8.encode(name), values);
  const out = new Array<string>();
  for (let i = 0; i < values.count; i++) out.push(String.UTF8.decodeUnsafe(spanPtr(values.at(i)), spanLength(values.at(i))));
  return out.join("|");
}

describe("valuesFromPairs", () => {
  it("finds every value of the header, in order", () => {
    const map = serialised([[":path", "/"], ["baggage", "a=1"], ["x-user-id", "jason"], ["baggage", "lane=s2"], ["baggage-x", "no"]]);
    expect(found(map, map.byteLength, "baggage")).toBe("a=1|lane=s2");
    expect(found(map, map.byteLength, "x-user-id")).toBe("jason");
    expect(found(map, map.byteLength, "cookie")).toBe("");
  });
  it("keeps empty values and reads an empty map", () => {
    const map = serialised([["baggage", ""]]);
    expect(found(map, map.byteLength, "baggage")).toBe("");
    expect(found(serialised([]), 4, "baggage")).toBe("");
  });
  it("stops at a truncated or lying map without reading past it", () => {
    const map = serialised([["baggage", "a=1"], ["baggage", "b=2"]]);
    expect(found(map, map.byteLength - 3, "baggage")).toBe("a=1");
    expect(found(map, 2, "baggage")).toBe("");
    store<u32>(changetype<usize>(map), 1000000);
    expect(found(map, map.byteLength, "baggage")).toBe("");
  });
});

function first(bytes: ArrayBuffer, name: string): string {
  const found = firstValueFromPairs(changetype<usize>(bytes), bytes.byteLength, String.UTF8.encode(name));
  return found == NO_SPAN ? "<none>" : String.UTF8.decodeUnsafe(spanPtr(found), spanLength(found));
}

describe("firstValueFromPairs", () => {
  it("finds the first value of a header, an empty one counting as none", () => {
    const map = serialised([["x-user-id", "jason"], ["x-asm-prefer-tag", "s2"], ["x-user-id", "bob"], ["x-empty", ""]]);
    expect(first(map, "x-user-id")).toBe("jason");
    expect(first(map, "x-asm-prefer-tag")).toBe("s2");
    expect(first(map, "x-empty")).toBe("<none>");
    expect(first(map, "x-user")).toBe("<none>");
  });
});
