// `--version`: the package's version and the sha256 of the filter it answers with, so an operator can
// tell which build of the filter a pipeline's answers came from.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PLUGIN_WASM, REPO_ROOT } from "../lib/paths.ts";

export function versionText(): string {
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  const wasm = existsSync(PLUGIN_WASM) ? `sha256 ${createHash("sha256").update(readFileSync(PLUGIN_WASM)).digest("hex")}` : "missing (npm run asbuild)";
  return `hash-tagging ${version}\nplugin.wasm ${wasm} (${PLUGIN_WASM})`;
}
