// A strict JSON well-formedness check that runs before json-as sees the text: json-as aborts the
// VM on some malformed input, and an abort inside Envoy kills the plugin. This never aborts.

import { quoteJson } from "./json-quote";

const MAX_DEPTH = 64;
// json-as stores a member name's length in 16 bits, so a longer name would be misread. Far above
// any real field name or override key (those have their own, smaller limits).
const MAX_MEMBER_NAME_CHARS = 32768;

class JsonScanner {
  pos: i32 = 0;
  error: string | null = null;

  constructor(readonly text: string) {}

  fail(expected: string): bool {
    if (this.error === null) {
      const found = this.pos < this.text.length ? quoteJson(this.text.charAt(this.pos)) : "end of text";
      this.error = "invalid JSON at character " + this.pos.toString() + ": expected " + expected + ", found " + found;
    }
    return false;
  }

  peek(): i32 {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  skipWhitespace(): void {
    for (let c = this.peek(); c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d; c = this.peek()) this.pos++;
  }

  value(depth: i32): bool {
    this.skipWhitespace();
    const c = this.peek();
    if ((c == 0x7b || c == 0x5b) && depth >= MAX_DEPTH) return this.fail("at most " + MAX_DEPTH.toString() + " levels of nesting");
    if (c == 0x7b) return this.container(0x7d, depth + 1);
    if (c == 0x5b) return this.container(0x5d, depth + 1);
    if (c == 0x22) return this.string();
    if (c == 0x2d || <u32>(c - 0x30) < 10) return this.number();
    if (c == 0x74) return this.literal("true");
    if (c == 0x66) return this.literal("false");
    if (c == 0x6e) return this.literal("null");
    return this.fail("a JSON value");
  }

  literal(word: string): bool {
    if (this.text.substr(this.pos, word.length) != word) return this.fail("'" + word + "'");
    this.pos += word.length;
    return true;
  }

  digits(): bool {
    const start = this.pos;
    while (<u32>(this.peek() - 0x30) < 10) this.pos++;
    return this.pos > start ? true : this.fail("a digit");
  }

  number(): bool {
    if (this.peek() == 0x2d) this.pos++;
    if (this.peek() == 0x30) {
      this.pos++;
    } else if (!this.digits()) {
      return false;
    }
    if (this.peek() == 0x2e) {
      this.pos++;
      if (!this.digits()) return false;
    }
    const e = this.peek();
    if (e == 0x65 || e == 0x45) {
      this.pos++;
      const sign = this.peek();
      if (sign == 0x2b || sign == 0x2d) this.pos++;
      if (!this.digits()) return false;
    }
    return true;
  }

  string(): bool {
    this.pos++;
    while (true) {
      const c = this.peek();
      if (c < 0) return this.fail("a closing '\"'");
      if (c < 0x20) return this.fail("an escaped control character");
      this.pos++;
      if (c == 0x22) return true;
      if (c == 0x5c && !this.escape()) return false;
    }
  }

  escape(): bool {
    const c = this.peek();
    if (c == 0x75) {
      this.pos++;
      for (let i = 0; i < 4; i++) {
        const h = this.peek() | 0x20;
        if (<u32>(h - 0x30) >= 10 && <u32>(h - 0x61) >= 6) return this.fail("four hex digits after '\\u'");
        this.pos++;
      }
      return true;
    }
    if (c == 0x22 || c == 0x5c || c == 0x2f || c == 0x62 || c == 0x66 || c == 0x6e || c == 0x72 || c == 0x74) {
      this.pos++;
      return true;
    }
    return this.fail("a valid escape");
  }

  /** An object (`close` is '}') or an array (`close` is ']'): items separated by commas. */
  container(close: i32, depth: i32): bool {
    this.pos++;
    this.skipWhitespace();
    if (this.peek() == close) {
      this.pos++;
      return true;
    }
    while (true) {
      if (!(close == 0x7d ? this.member(depth) : this.value(depth))) return false;
      this.skipWhitespace();
      const c = this.peek();
      if (c == close) {
        this.pos++;
        return true;
      }
      if (c != 0x2c) return this.fail(close == 0x7d ? "',' or '}'" : "',' or ']'");
      this.pos++;
    }
  }

  member(depth: i32): bool {
    this.skipWhitespace();
    if (this.peek() != 0x22) return this.fail("a quoted member name");
    const start = this.pos;
    if (!this.string()) return false;
    if (this.pos - start - 2 > MAX_MEMBER_NAME_CHARS) {
      this.error = "member name at character " + start.toString() + " is " + (this.pos - start - 2).toString() + " characters long: expected at most " + MAX_MEMBER_NAME_CHARS.toString();
      return false;
    }
    this.skipWhitespace();
    if (this.peek() != 0x3a) return this.fail("':'");
    this.pos++;
    return this.value(depth);
  }
}

/** Why `text` is not one well-formed JSON value, or null when it is. */
export function jsonSyntaxError(text: string): string | null {
  const scanner = new JsonScanner(text);
  if (!scanner.value(0)) return scanner.error;
  scanner.skipWhitespace();
  if (scanner.pos < text.length) {
    scanner.fail("end of text");
    return scanner.error;
  }
  return null;
}
