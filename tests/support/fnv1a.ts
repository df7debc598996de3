// An independent FNV-1a 32-bit in TypeScript: tests compute expected lanes with it, never with the filter.
export function fnv1a32(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash >>> 0;
}

export function fnv1a32OfText(text: string): number {
  return fnv1a32(Buffer.from(text, "utf8"));
}

/** The tag the reference config (20% s2, rest s1, modulo 100) gives a user id. */
export function referenceTag(userId: string, canaryRange = 20): "s1" | "s2" {
  return fnv1a32OfText(userId) % 100 < canaryRange ? "s2" : "s1";
}
