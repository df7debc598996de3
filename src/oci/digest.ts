import { createHash } from "node:crypto";

/** The content address a registry gives a blob or manifest: `sha256:<hex>`. */
export function sha256Digest(bytes: Uint8Array): string {
  return "sha256:" + createHash("sha256").update(bytes).digest("hex");
}

const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

export function isSha256Digest(text: string): boolean {
  return DIGEST_PATTERN.test(text);
}
