// npm run check-config -- FILE...: runs each WasmPlugin's pluginConfig (or a bare pluginConfig) through
// build/plugin.wasm and prints what the filter would log in Envoy. Exits 1 if any is refused.
import { existsSync } from "node:fs";
import { checkConfigFiles } from "../src/check/plugin-config-files.ts";

const WASM = "build/plugin.wasm";
const paths = process.argv.slice(2);
if (paths.length === 0) {
  console.error("usage: npm run check-config -- FILE... (WasmPlugin manifests, or pluginConfig as YAML or JSON)");
  process.exit(2);
}
if (!existsSync(WASM)) {
  console.error(`${WASM} not found: build the filter first (npm run asbuild)`);
  process.exit(2);
}

let failed = false;
for (const report of await checkConfigFiles(paths, WASM)) {
  if (report.problem) {
    failed = true;
    console.log(`${report.path}: ${report.problem}`);
    continue;
  }
  for (const verdict of report.verdicts) {
    failed ||= !verdict.accepted;
    console.log(`${report.path}: ${verdict.subject}: ${verdict.accepted ? "accepted" : "refused"}`);
    for (const line of verdict.lines) console.log(`  ${line}`);
  }
}
process.exit(failed ? 1 : 0);
