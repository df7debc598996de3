// RFC 9110 syntax checks for the names and values the config puts into requests or matches against.
import { HOST_FORM_BYTES, ipHostForm } from "../request/host-syntax";

/** An RFC 9110 token character other than a letter or digit. */
function isTokenSymbol(c: i32): bool {
  return "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) >= 0;
}

/** An HTTP token (RFC 9110 section 5.6.2): header names and cookie names. Any case; no pseudo-headers. */
export function isToken(name: string): bool {
  const n = name.length;
  if (n == 0) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    const isDigit = <u32>(c - 0x30) < 10;
    const isLetter = <u32>((c | 0x20) - 0x61) < 26;
    if (!isDigit && !isLetter && !isTokenSymbol(c)) return false;
  }
  return true;
}

/** A header value: visible ASCII, with spaces or tabs only between visible characters. */
export function isHeaderValue(value: string): bool {
  const n = value.length;
  if (n == 0) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    const isVisible = <u32>(c - 0x21) < 0x5e;
    const isInnerBlank = (c == 0x20 || c == 0x09) && i > 0 && i < n - 1;
    if (!isVisible && !isInnerBlank) return false;
  }
  return true;
}

/** A DNS label character (lowercase), or "_" which some internal names use. */
function isHostCharacter(c: i32): bool {
  return <u32>(c - 0x61) < 26 || <u32>(c - 0x30) < 10 || c == 0x2d || c == 0x5f;
}

/** Dot-separated non-empty labels of [a-z0-9_-]. */
function isDomain(text: string): bool {
  const n = text.length;
  if (n == 0) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c == 0x2e) {
      if (i == 0 || i == n - 1 || text.charCodeAt(i - 1) == 0x2e) return false;
    } else if (!isHostCharacter(c)) {
      return false;
    }
  }
  return true;
}

/**
 * A lowercase `match.hosts` entry in the form requests are compared in (see request/scope.ts): a host
 * name, an IP address (IPv6 in brackets) or `*.` and a domain (stored as ".domain"); a trailing dot
 * is dropped. Null when it is none of these.
 */
export function hostPatternBytes(host: string): ArrayBuffer | null {
  let text = host;
  if (text.length > 1 && text.endsWith(".") && !text.endsWith("..")) text = text.substring(0, text.length - 1);
  if (text.startsWith("*.")) return isDomain(text.substring(2)) ? String.UTF8.encode(text.substring(1)) : null;
  const bytes = String.UTF8.encode(text);
  const form = new ArrayBuffer(<i32>HOST_FORM_BYTES);
  const formLength = ipHostForm(changetype<usize>(bytes), bytes.byteLength, changetype<usize>(form));
  if (formLength > 0) return form.slice(0, <i32>formLength);
  return formLength == 0 && isDomain(text) ? bytes : null;
}

/** A `match.pathPrefixes` entry: "/" then visible ASCII (compared byte for byte with :path). */
export function isPathPrefix(prefix: string): bool {
  if (!prefix.startsWith("/")) return false;
  for (let i = 1, n = prefix.length; i < n; i++) {
    if (<u32>(prefix.charCodeAt(i) - 0x21) >= 0x5e) return false;
  }
  return true;
}

/** `text` with A-Z lowered and everything else kept: enough for names checked as ASCII, and without the Unicode case tables `toLowerCase` brings into the module. */
export function asciiLowercase(text: string): string {
  const n = text.length;
  let i = 0;
  while (i < n && <u32>(text.charCodeAt(i) - 0x41) >= 26) i++;
  if (i == n) return text;
  const out = changetype<string>(__new(<usize>n << 1, idof<string>()));
  memory.copy(changetype<usize>(out), changetype<usize>(text), <usize>n << 1);
  for (; i < n; i++) {
    const at = changetype<usize>(out) + (<usize>i << 1);
    const c = <u32>load<u16>(at);
    if (c - 0x41 < 26) store<u16>(at, <u16>(c | 0x20));
  }
  return out;
}
