// The READMEs as a whole: the front door stays under 300 lines, its compatibility table states what the
// code pins and the module declares, every npm script is described, and every relative link resolves.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { it } from "node:test";
import { ISTIO_VERSION, KUBERNETES_VERSION } from "../../scripts/istio/versions.ts";
import { ENVOY_VERSION } from "../../scripts/lib/envoy/version.ts";
import { PLUGIN_WASM, REPO_ROOT } from "../../scripts/lib/paths.ts";
import { readme, section, tableRows } from "../support/readme.ts";

/** Every Markdown file git tracks, by its path from the repository root. */
const MARKDOWN = spawnSync("git", ["ls-files", "*.md"], { cwd: REPO_ROOT, encoding: "utf8" }).stdout.trim().split("\n");

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");

function anchorsOf(path: string): Set<string> {
  const text = readFileSync(join(REPO_ROOT, path), "utf8").replace(/^```[\s\S]*?^```$/gm, "");
  return new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1])));
}

it("README.md is a front door: under 300 lines", () => {
  const lines = readme().trimEnd().split("\n").length;
  assert.ok(lines < 300, `README.md has ${lines} lines; move detail beside what it describes`);
});

it("the README's compatibility table states the pinned versions and the module's ABI", () => {
  const rows = Object.fromEntries(tableRows(section(readme(), "## Compatibility"), "| component"));
  assert.match(rows.Envoy, new RegExp(`^${ENVOY_VERSION.replace(/\./g, "\\.")} `));
  assert.ok(rows.Istio.includes(ISTIO_VERSION) && rows.Istio.includes(KUBERNETES_VERSION), rows.Istio);
  const abi = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(PLUGIN_WASM)))
    .map((e) => /^proxy_abi_version_(\d+)_(\d+)_(\d+)$/.exec(e.name))
    .find((m) => m !== null);
  assert.ok(abi, "build/plugin.wasm exports no proxy_abi_version_*");
  assert.equal(rows["Proxy-Wasm ABI"], abi.slice(1).join("."));
  const engines = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).engines.node as string;
  assert.match(rows.Node, new RegExp(`^${/^>=(\d+)$/.exec(engines)?.[1]} or later`), `package.json engines.node is ${engines}`);
});

it("every npm script is described in a README", () => {
  const scripts = Object.keys(JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).scripts);
  const docs = MARKDOWN.map((path) => readFileSync(join(REPO_ROOT, path), "utf8")).join("\n");
  const lifecycle = new Set(["prepare", "prepack"]);
  const undescribed = scripts.filter((name) =>
    lifecycle.has(name) ? !docs.includes(`\`${name}\``) : !docs.includes(`npm run ${name}`) && !docs.includes(`\`npm ${name}`),
  );
  assert.deepEqual(undescribed, []);
});

it("every relative link of every README resolves, anchors included", () => {
  const broken: string[] = [];
  for (const path of MARKDOWN) {
    const text = readFileSync(join(REPO_ROOT, path), "utf8").replace(/^```[\s\S]*?^```$/gm, "");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [file, hash] = target.split("#");
      const resolved = file === "" ? path : normalize(join(dirname(path), file));
      if (!existsSync(join(REPO_ROOT, resolved))) broken.push(`${path}: ${target} (no ${resolved})`);
      else if (hash !== undefined && resolved.endsWith(".md") && !anchorsOf(resolved).has(hash))
        broken.push(`${path}: ${target} (no heading #${hash})`);
    }
  }
  assert.deepEqual(broken, []);
});
