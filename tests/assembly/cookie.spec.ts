import { NO_SPAN, spanLength, spanPtr } from "../../assembly/request/byte-span";
import { cookieValue } from "../../assembly/request/cookie";

/** The value of cookie `name` in a cookie header, or "<none>". */
function cookieOf(header: string, name: string): string {
  const bytes = String.UTF8.encode(header);
  const nameBytes = String.UTF8.encode(name);
  const found = cookieValue(changetype<usize>(bytes), bytes.byteLength, changetype<usize>(nameBytes), nameBytes.byteLength);
  if (found == NO_SPAN) return "<none>";
  return String.UTF8.decodeUnsafe(spanPtr(found), spanLength(found));
}

describe("cookieValue", () => {
  it("finds a cookie among others, in place", () => {
    expect(cookieOf("uid=u-1", "uid")).toBe("u-1");
    expect(cookieOf("a=1; uid=u-2; b=2", "uid")).toBe("u-2");
    expect(cookieOf("a=1;uid=u-3", "uid")).toBe("u-3");
  });
  it("matches the whole name: uid is not xuid, nor uidx, and names are case-sensitive", () => {
    expect(cookieOf("xuid=wrong", "uid")).toBe("<none>");
    expect(cookieOf("xuid=wrong; uid=right", "uid")).toBe("right");
    expect(cookieOf("uidx=wrong; uid=right", "uid")).toBe("right");
    expect(cookieOf("UID=wrong", "uid")).toBe("<none>");
  });
  it("takes the first of repeated cookies", () => {
    expect(cookieOf("uid=first; uid=second", "uid")).toBe("first");
  });
  it("skips blanks around pairs, names and values, and keeps the value as sent", () => {
    expect(cookieOf("  a=1 ;\tuid = u-4 ; b=2", "uid")).toBe("u-4");
    expect(cookieOf('uid="quoted"', "uid")).toBe('"quoted"');
    expect(cookieOf("uid=a=b", "uid")).toBe("a=b");
  });
  it("treats a missing or empty value as no key", () => {
    expect(cookieOf("", "uid")).toBe("<none>");
    expect(cookieOf("uid=", "uid")).toBe("<none>");
    expect(cookieOf("uid= ; x=1", "uid")).toBe("<none>");
    expect(cookieOf("uid", "uid")).toBe("<none>");
    expect(cookieOf(";;; ;", "uid")).toBe("<none>");
    expect(cookieOf("a=uid=1", "uid")).toBe("<none>");
  });
});
