// Where the build puts the filter: one name for every script and test.
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The release build of the filter (`npm run asbuild`), relative to the repository (or an image's build context). */
export const PLUGIN_WASM_IN_REPO = "build/plugin.wasm";
/** The debug build, with names the tests can read. */
export const DEBUG_WASM_IN_REPO = "build/debug.wasm";
export const PLUGIN_WASM = join(REPO_ROOT, PLUGIN_WASM_IN_REPO);
export const DEBUG_WASM = join(REPO_ROOT, DEBUG_WASM_IN_REPO);
