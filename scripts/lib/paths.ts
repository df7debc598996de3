// Where the build puts the filter: one name for every script and test.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The nearest folder above this file holding package.json: the clone, or the installed package
 * (scripts compiled into dist/). A bundle with no package.json around it (the webhook image) is
 * its own root: this file's folder.
 */
function packageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return join(dir, "/");
    if (dirname(dir) === dir) return join(start, "/");
  }
}

export const REPO_ROOT = packageRoot();
/** The release build of the filter (`npm run asbuild`), relative to the repository (or an image's build context). */
export const PLUGIN_WASM_IN_REPO = "build/plugin.wasm";
/** The debug build, with names the tests can read. */
export const DEBUG_WASM_IN_REPO = "build/debug.wasm";
export const PLUGIN_WASM = join(REPO_ROOT, PLUGIN_WASM_IN_REPO);
export const DEBUG_WASM = join(REPO_ROOT, DEBUG_WASM_IN_REPO);
