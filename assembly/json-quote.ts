// Quoting for error messages: config text is untrusted, and a raw CR/LF in a log line would let
// it forge further lines in the proxy's log.

function hex4(code: i32): string {
  const digits = code.toString(16);
  return "\\u" + "0000".substr(digits.length) + digits;
}

/** `text` as a JSON string literal: quotes, backslashes and control characters escaped. */
export function quoteJson(text: string): string {
  let out = '"';
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
    else if (c < 0x20 || c == 0x7f) out += hex4(c);
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

function isIdentifier(name: string): bool {
  const n = name.length;
  if (n == 0) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    const isLetter = <u32>((c | 0x20) - 0x61) < 26 || c == 0x5f || c == 0x24;
    if (!isLetter && (i == 0 || <u32>(c - 0x30) >= 10)) return false;
  }
  return true;
}

/** The JSON path of member `name` of the object at `parent` (parent "" is the top level). */
export function memberPath(parent: string, name: string): string {
  if (isIdentifier(name)) return parent.length == 0 ? name : parent + "." + name;
  return parent + "[" + quoteJson(name) + "]";
}
