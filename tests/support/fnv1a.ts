// An independent FNV-1a 32-bit in TypeScript: tests compute expected lanes with it, never with the filter.
export function fnv1a32(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash >>> 0;
}

export function fnv1a32OfText(text: string): number {
  return fnv1a32(Buffer.from(text, "utf8"));
}

/** murmur3's 32-bit finalizer, as the issue states it: 32-bit wrapping multiplies. */
export function fmix32(hash: number): number {
  let h = hash >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export type HashName = "fnv1a32" | "fnv1a32-fmix32";

/** A rule's hash of a key: FNV-1a over `seed` + ":" + key when seeded, then fmix32 for "fnv1a32-fmix32". */
export function ruleHash(key: Uint8Array | string, options: { seed?: string; hash?: HashName } = {}): number {
  const keyBytes = typeof key === "string" ? Buffer.from(key, "utf8") : Buffer.from(key);
  const input = options.seed === undefined ? keyBytes : Buffer.concat([Buffer.from(`${options.seed}:`, "utf8"), keyBytes]);
  const hash = fnv1a32(input);
  return options.hash === "fnv1a32-fmix32" ? fmix32(hash) : hash;
}

/** The tag the reference config (20% s2, rest s1, modulo 100) gives a user id. */
export function referenceTag(userId: string, canaryRange = 20): "s1" | "s2" {
  return fnv1a32OfText(userId) % 100 < canaryRange ? "s2" : "s1";
}

/** A trace value's two pass-through slots: fmix32(FNV-1a) modulo `slots`, then fmix32 of that hash xor 0x9e3779b9 (the next slot if equal). */
export function traceSlots(trace: string, slots: number): [number, number] {
  const hash = fmix32(fnv1a32OfText(trace));
  const first = hash % slots;
  const second = fmix32((hash ^ 0x9e3779b9) >>> 0) % slots;
  return [first, second !== first ? second : (first + 1) % slots];
}
