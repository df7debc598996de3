// RFC 9110 syntax checks for the names and values the config puts into requests.

/** A header name the filter may read or write: a lowercase token (no pseudo-header, no uppercase). */
export function isLowercaseHeaderName(name: string): bool {
  const n = name.length;
  if (n == 0) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    const isDigit = <u32>(c - 0x30) < 10;
    const isLower = <u32>(c - 0x61) < 26;
    if (!isDigit && !isLower && "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) < 0) return false;
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
