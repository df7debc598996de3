import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { RELEASE_WASM as RELEASE_WASM_PATH } from "../../../scripts/image.ts";

export const PROJECT_DIR = fileURLToPath(new URL("../../..", import.meta.url));
export const RELEASE_WASM = join(PROJECT_DIR, RELEASE_WASM_PATH);

/** The release module under test; a missing one fails the suite (run `npm run asbuild`), it never skips it. */
export function releaseWasm(): Promise<Buffer> {
  return readFile(RELEASE_WASM);
}
