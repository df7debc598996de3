// Quoting for error messages: config text is untrusted, and a raw CR/LF in a log line would let
// it forge further lines in the proxy's log. Built from runs joined once, so it is linear in the
// text's length (concatenating in a loop copies the whole string each time).

function hex4(code: i32): string {
  const digits = code.toString(16);
  return "\\u" + "0000".substr(digits.length) + digits;
}

function escapeOf(c: i32): string | null {
  if (c == 0x22) return '\\"';
  if (c == 0x5c) return "\\\\";
  if (c == 0x0a) return "\\n";
  if (c == 0x0d) return "\\r";
  if (c == 0x09) return "\\t";
  if (c < 0x20 || c == 0x7f) return hex4(c);
  return null;
}

/** `text` as a JSON string literal: quotes, backslashes and control characters escaped. */
export function quoteJson(text: string): string {
  const parts: string[] = ['"'];
  let runStart = 0;
  for (let i = 0, n = text.length; i < n; i++) {
    const escaped = escapeOf(text.charCodeAt(i));
    if (escaped === null) continue;
    if (i > runStart) parts.push(text.substring(runStart, i));
    parts.push(escaped);
    runStart = i + 1;
  }
  if (runStart < text.length) parts.push(text.substring(runStart));
  parts.push('"');
  return parts.join("");
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

// Member names are data too (override keys): a path shows at most this many of their characters.
const PATH_NAME_CHARS = 64;

/** The JSON path of member `name` of the object at `parent` (parent "" is the top level); a long name is cut. */
export function memberPath(parent: string, name: string): string {
  if (name.length > PATH_NAME_CHARS) return parent + "[" + quoteJson(name.substr(0, PATH_NAME_CHARS - 3) + "...") + "]";
  if (isIdentifier(name)) return parent.length == 0 ? name : parent + "." + name;
  return parent + "[" + quoteJson(name) + "]";
}
