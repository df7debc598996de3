import { readFile } from "node:fs/promises";
import { PLUGIN_WASM, REPO_ROOT } from "../../../scripts/lib/paths.ts";

export const PROJECT_DIR = REPO_ROOT;
export const RELEASE_WASM = PLUGIN_WASM;

/** The release module under test; a missing one fails the suite (run `npm run asbuild`), it never skips it. */
export function releaseWasm(): Promise<Buffer> {
  return readFile(RELEASE_WASM);
}
