// `--version`: the package's version and the sha256 of the filter it answers with, so an operator can
// tell which build of the filter a pipeline's answers came from.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PLUGIN_WASM, REPO_ROOT } from "../lib/paths.ts";

/** Never throws: a bundle without package.json (the webhook image) has no version to tell. */
export function versionText(): string {
  const manifest = join(REPO_ROOT, "package.json");
  const version = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version : "(no package.json)";
  const wasm = existsSync(PLUGIN_WASM)
    ? `sha256 ${createHash("sha256").update(readFileSync(PLUGIN_WASM)).digest("hex")}`
    : "missing (npm run asbuild)";
  return `hash-tagging ${version}\nplugin.wasm ${wasm} (${PLUGIN_WASM})`;
}
