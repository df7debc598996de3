import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The release build of the filter (`npm run asbuild`). */
export const PLUGIN_WASM = join(REPO_ROOT, "build", "plugin.wasm");
