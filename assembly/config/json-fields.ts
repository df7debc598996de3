// The members of a JSON object under their real names. json-as keeps a member name as written,
// escapes included (`"tag\u0048eader"` stays 14 characters), so names are decoded here before
// anything compares them; and they are indexed once, so reading n members costs O(n).
import { JSON } from "json-as";

function hexValue(c: i32): i32 {
  if (<u32>(c - 0x30) < 10) return c - 0x30;
  const lower = c | 0x20;
  return <u32>(lower - 0x61) < 6 ? lower - 0x61 + 10 : 0;
}

/** A member name as written between quotes (already checked well-formed) -> its characters. */
export function decodeMemberName(raw: string): string {
  if (raw.indexOf("\\") < 0) return raw;
  const units = new Array<i32>();
  for (let i = 0, n = raw.length; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c != 0x5c) {
      units.push(c);
      continue;
    }
    const e = raw.charCodeAt(++i);
    if (e == 0x75) {
      units.push((hexValue(raw.charCodeAt(i + 1)) << 12) | (hexValue(raw.charCodeAt(i + 2)) << 8) | (hexValue(raw.charCodeAt(i + 3)) << 4) | hexValue(raw.charCodeAt(i + 4)));
      i += 4;
    } else if (e == 0x62) units.push(0x08);
    else if (e == 0x66) units.push(0x0c);
    else if (e == 0x6e) units.push(0x0a);
    else if (e == 0x72) units.push(0x0d);
    else if (e == 0x74) units.push(0x09);
    else units.push(e); // \" \\ \/
  }
  return String.fromCharCodes(units);
}

export class JsonFields {
  /** Decoded names and their values, in the order written (repeats included). */
  readonly names: string[];
  readonly values: JSON.Value[];
  /** Index of the first member of each name. */
  private readonly firstIndex: Map<string, i32> = new Map<string, i32>();

  constructor(obj: JSON.Obj) {
    const raw = obj.keys();
    this.values = obj.values();
    this.names = new Array<string>(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const name = decodeMemberName(raw[i]);
      this.names[i] = name;
      if (!this.firstIndex.has(name)) this.firstIndex.set(name, i);
    }
  }

  /** Whether member `i` repeats a name that an earlier member has. */
  isRepeat(i: i32): bool {
    return this.firstIndex.get(this.names[i]) != i;
  }

  has(name: string): bool {
    return this.firstIndex.has(name);
  }

  get(name: string): JSON.Value | null {
    return this.firstIndex.has(name) ? this.values[this.firstIndex.get(name)] : null;
  }

  get size(): i32 {
    return this.names.length;
  }
}
