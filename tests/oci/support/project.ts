import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { readReleaseWasm, RELEASE_WASM_PATH } from "../../../src/oci/release-wasm.ts";

export const PROJECT_DIR = fileURLToPath(new URL("../../..", import.meta.url));
export const RELEASE_WASM = join(PROJECT_DIR, RELEASE_WASM_PATH);

/** The release module under test; a missing one fails the suite (run `npm run asbuild`), it never skips it. */
export function releaseWasm(): Promise<Uint8Array> {
  return readReleaseWasm(RELEASE_WASM);
}
