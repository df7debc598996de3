import { NO_SPAN, spanLength, spanPtr } from "../../assembly/request/byte-span";
import { fnv1a32 } from "../../assembly/hash";
import { decodedEquals, fnv1a32FromDecoded, queryValue } from "../../assembly/request/query";

/** The raw (still encoded) value of parameter `name` in a :path, or "<none>". */
function rawParam(path: string, name: string): string {
  const bytes = String.UTF8.encode(path);
  const nameBytes = String.UTF8.encode(name);
  const found = queryValue(changetype<usize>(bytes), bytes.byteLength, changetype<usize>(nameBytes), nameBytes.byteLength);
  if (found == NO_SPAN) return "<none>";
  return String.UTF8.decodeUnsafe(spanPtr(found), spanLength(found));
}

function decodesTo(encoded: string, decoded: string): bool {
  const a = String.UTF8.encode(encoded);
  const b = String.UTF8.encode(decoded);
  return decodedEquals(changetype<usize>(a), a.byteLength, changetype<usize>(b), b.byteLength);
}

function decodedHash(encoded: string): u32 {
  const a = String.UTF8.encode(encoded);
  return fnv1a32FromDecoded(0x811c9dc5, changetype<usize>(a), a.byteLength);
}

function plainHash(text: string): u32 {
  const a = String.UTF8.encode(text);
  return fnv1a32(changetype<usize>(a), a.byteLength);
}

describe("queryValue", () => {
  it("finds a parameter in the query of :path", () => {
    expect(rawParam("/?uid=u-1", "uid")).toBe("u-1");
    expect(rawParam("/app/x?a=1&uid=u-2&b=2", "uid")).toBe("u-2");
  });
  it("matches whole decoded names and takes the first repeat", () => {
    expect(rawParam("/?xuid=1&uidx=2", "uid")).toBe("<none>");
    expect(rawParam("/?u%69d=enc", "uid")).toBe("enc");
    expect(rawParam("/?uid=first&uid=second", "uid")).toBe("first");
    expect(rawParam("/?my+id=7", "my id")).toBe("7");
  });
  it("reads nothing from the path itself or a fragment", () => {
    expect(rawParam("/uid=1", "uid")).toBe("<none>");
    expect(rawParam("/a?b=1#uid=2", "uid")).toBe("<none>");
    expect(rawParam("/a?uid=3#x", "uid")).toBe("3");
  });
  it("treats a missing or empty value as no key", () => {
    expect(rawParam("/", "uid")).toBe("<none>");
    expect(rawParam("/?uid", "uid")).toBe("<none>");
    expect(rawParam("/?uid=&uid=2", "uid")).toBe("<none>");
    expect(rawParam("/?&&uid=5", "uid")).toBe("5");
  });
});

describe("percent-decoding while comparing and hashing", () => {
  it("decodes %XX (either case) and '+', and keeps a bad '%' as it is", () => {
    expect(decodesTo("a%20b", "a b")).toBe(true);
    expect(decodesTo("%e2%82%AC", "\u20ac")).toBe(true);
    expect(decodesTo("a+b", "a b")).toBe(true);
    expect(decodesTo("100%", "100%")).toBe(true);
    expect(decodesTo("%zz%4", "%zz%4")).toBe(true);
    expect(decodesTo("a%20b", "a%20b")).toBe(false);
    expect(decodesTo("ab", "abc")).toBe(false);
    expect(decodesTo("abc", "ab")).toBe(false);
  });
  it("hashes the decoded bytes, without a decoded copy", () => {
    expect(decodedHash("j%61ck")).toBe(plainHash("jack"));
    expect(decodedHash("jos%C3%A9+p")).toBe(plainHash("jos\u00e9 p"));
    expect(decodedHash("50%")).toBe(plainHash("50%"));
  });
});
