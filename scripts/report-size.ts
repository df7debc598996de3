// Prints the size of the release build after `npm run asbuild`.
import { statSync } from "node:fs";
import { PLUGIN_WASM_IN_REPO as RELEASE } from "./lib/paths.ts";

try {
  const bytes = statSync(RELEASE).size;
  console.log(`${RELEASE}: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB, release)`);
} catch {
  console.error(`${RELEASE} is missing: the release build did not produce it`);
  process.exit(1);
}
