import { NO_SPAN, span, spanLength, spanPtr } from "../../assembly/request/byte-span";
import {
  HeaderValues, baggageChanges, baggageLength, baggageMember, decodeInPlace, encodedLength, writeBaggage, writeEncoded,
} from "../../assembly/request/baggage";

const LANE = String.UTF8.encode("lane");
// Header bytes stay alive for the whole spec: the spans point into them.
const kept = new Array<ArrayBuffer>();

function valuesOf(headers: string[]): HeaderValues {
  const values = new HeaderValues();
  for (let i = 0; i < headers.length; i++) {
    const bytes = String.UTF8.encode(headers[i]);
    kept.push(bytes);
    values.push(span(changetype<usize>(bytes), bytes.byteLength));
  }
  return values;
}

/** The raw value of member `lane`, or "<none>". */
function member(headers: string[]): string {
  const found = baggageMember(valuesOf(headers), LANE);
  return found == NO_SPAN ? "<none>" : String.UTF8.decodeUnsafe(spanPtr(found), spanLength(found));
}

/** The member `lane` decoded as the filter writes it into a header, or "<invalid>". */
function decoded(raw: string): string {
  const bytes = String.UTF8.encode(raw);
  const n = decodeInPlace(changetype<usize>(bytes), bytes.byteLength);
  return n < 0 ? "<invalid>" : String.UTF8.decodeUnsafe(changetype<usize>(bytes), n);
}

function encoded(text: string): string {
  const bytes = String.UTF8.encode(text);
  const length = encodedLength(changetype<usize>(bytes), bytes.byteLength);
  const out = new ArrayBuffer(<i32>length);
  const end = writeEncoded(changetype<usize>(bytes), bytes.byteLength, changetype<usize>(out));
  expect(end - changetype<usize>(out)).toBe(length);
  return String.UTF8.decode(out);
}

function changes(headers: string[], tag: string): bool {
  const bytes = String.UTF8.encode(tag);
  return baggageChanges(valuesOf(headers), LANE, changetype<usize>(bytes), bytes.byteLength);
}

/** The rewritten header, or "<removed>" when no member is left. */
function rewritten(headers: string[], tag: string): string {
  const bytes = String.UTF8.encode(tag);
  const values = valuesOf(headers);
  const length = baggageLength(values, LANE, changetype<usize>(bytes), bytes.byteLength);
  if (length == 0) return "<removed>";
  // One byte more than asked for: it must stay untouched.
  const out = new ArrayBuffer(<i32>length + 1);
  store<u8>(changetype<usize>(out) + length, 0x7e);
  writeBaggage(values, LANE, changetype<usize>(bytes), bytes.byteLength, changetype<usize>(out));
  expect(load<u8>(changetype<usize>(out) + length)).toBe(0x7e);
  return String.UTF8.decodeUnsafe(changetype<usize>(out), length);
}

describe("baggageMember", () => {
  it("finds a member among others, with properties and optional whitespace", () => {
    expect(member(["lane=s2"])).toBe("s2");
    expect(member(["a=1,lane=s2,b=2"])).toBe("s2");
    expect(member(["a=1 ,  lane = s2 ;ttl=5;flag , b=2"])).toBe("s2");
    expect(member(["\tlane\t=\ts2\t"])).toBe("s2");
  });
  it("reads several baggage headers as one list, first member wins", () => {
    expect(member(["a=1", "lane=s2"])).toBe("s2");
    expect(member(["lane=s1", "lane=s2"])).toBe("s1");
  });
  it("matches whole, case-sensitive keys only", () => {
    expect(member(["lanes=s2,xlane=s3,Lane=s4"])).toBe("<none>");
    expect(member(["a=lane=s2"])).toBe("<none>");
    expect(member(["a=1;lane=s2"])).toBe("<none>");
  });
  it("treats a missing, empty or malformed member as absent", () => {
    expect(member([""])).toBe("<none>");
    expect(member(["lane="])).toBe("<none>");
    expect(member(["lane= ;p"])).toBe("<none>");
    expect(member(["lane"])).toBe("<none>");
    expect(member(["lane;p=1"])).toBe("<none>");
    expect(member([",,,"])).toBe("<none>");
    expect(member([])).toBe("<none>");
  });
  it("keeps the value percent-encoded (decoded only when written)", () => {
    expect(member(["lane=s%202"])).toBe("s%202");
  });
});

describe("percent-encoding", () => {
  it("decodes %XX and keeps a bad % as is", () => {
    expect(decoded("s2")).toBe("s2");
    expect(decoded("s%202")).toBe("s 2");
    expect(decoded("%73%32")).toBe("s2");
    expect(decoded("100%")).toBe("100%");
    expect(decoded("%zz")).toBe("%zz");
    expect(decoded("%2")).toBe("%2");
  });
  it("refuses what is no header value once decoded", () => {
    expect(decoded("%0d%0aX-Evil:%201")).toBe("<invalid>");
    expect(decoded("%20s2")).toBe("<invalid>");
    expect(decoded("s2%20")).toBe("<invalid>");
    expect(decoded("%e2%82%ac")).toBe("<invalid>");
    expect(decoded("%00")).toBe("<invalid>");
  });
  it("encodes everything outside baggage-octet, and % itself", () => {
    expect(encoded("s2")).toBe("s2");
    expect(encoded("a b")).toBe("a%20b");
    expect(encoded("a,b;c\\d\"e%f")).toBe("a%2Cb%3Bc%5Cd%22e%25f");
    expect(encoded("x=y/z")).toBe("x=y/z");
  });
  it("round-trips every visible ASCII tag", () => {
    let all = "";
    for (let c = 0x21; c < 0x7f; c++) all += String.fromCharCode(c);
    expect(decoded(encoded(all))).toBe(all);
    expect(decoded(encoded("s 2"))).toBe("s 2");
  });
});

describe("baggageChanges", () => {
  it("sees nothing to do when the member is already set, first and alone", () => {
    expect(changes(["lane=s2"], "s2")).toBe(false);
    expect(changes(["lane=s2,a=1;p"], "s2")).toBe(false);
    expect(changes(["lane=a%20b"], "a b")).toBe(false);
  });
  it("sees a change for another value, properties, a repeat, a later place or several headers", () => {
    expect(changes(["lane=s1"], "s2")).toBe(true);
    expect(changes(["lane=s2;p"], "s2")).toBe(true);
    expect(changes(["lane=s2,lane=s2"], "s2")).toBe(true);
    expect(changes(["a=1,lane=s2"], "s2")).toBe(true);
    expect(changes(["lane=s2", "a=1"], "s2")).toBe(true);
    expect(changes(["a=1"], "s2")).toBe(true);
    expect(changes([], "s2")).toBe(true);
  });
  it("for a removal, changes only when the member is there", () => {
    expect(changes(["a=1,b=2;p"], "")).toBe(false);
    expect(changes([], "")).toBe(false);
    expect(changes(["a=1", "lane=s2"], "")).toBe(true);
    expect(changes(["lane="], "")).toBe(true);
  });
});

describe("baggageLength and writeBaggage", () => {
  it("sets the member first and keeps every other member with its properties, in order", () => {
    expect(rewritten(["a=1;p1;p2=x, lane=s1;q, b=%20"], "s2")).toBe("lane=s2,a=1;p1;p2=x,b=%20");
    expect(rewritten(["a=1", "b=2,lane=s1", "lane=s3"], "s2")).toBe("lane=s2,a=1,b=2");
    expect(rewritten([], "s 2")).toBe("lane=s%202");
    expect(rewritten([" , ,a=1,,"], "s2")).toBe("lane=s2,a=1");
  });
  it("removes every copy of the member, and the header when nothing is left", () => {
    expect(rewritten(["a=1,lane=s2;p", "lane=s3,b=2"], "")).toBe("a=1,b=2");
    expect(rewritten(["lane=s2", " lane = s3 "], "")).toBe("<removed>");
  });
  it("keeps malformed members of other keys as they are", () => {
    expect(rewritten(["noequals,lane=s1,x=\"q\""], "s2")).toBe("lane=s2,noequals,x=\"q\"");
  });
  it("carries more than the spec's 64 members and 8192 bytes", () => {
    const members = new Array<string>();
    for (let i = 0; i < 200; i++) members.push("member" + i.toString() + "=" + "v".repeat(60));
    const big = members.join(",");
    expect(big.length).toBeGreaterThan(8192);
    const out = rewritten([big + ",lane=s1"], "s2");
    expect(out).toBe("lane=s2," + big);
    expect(member([big + ",lane=s3"])).toBe("s3");
  });
});

describe("HeaderValues", () => {
  it("keeps any number of values in order", () => {
    const values = new HeaderValues();
    for (let i = 0; i < 100; i++) values.push(<u64>i + 1);
    expect(values.count).toBe(100);
    for (let i = 0; i < 100; i++) expect(values.at(i)).toBe(<u64>i + 1);
    values.clear();
    expect(values.count).toBe(0);
  });
});
