// deploy/istio/patches/: each file, applied by the real kubectl as the README's command applies it
// (`kubectl patch --type merge --patch-file`, here --local on the rendered WasmPlugin), changes only the
// canary range; the result passes Istio's schema and the compiled filter accepts it.

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { PATCHES, type PatchName, patchArgs } from "../../scripts/istio/deploy.ts";
import { BINARIES } from "../../scripts/istio/versions.ts";
import { loadPlugin } from "../../scripts/lib/host/index.ts";
import { PLUGIN_WASM as RELEASE_WASM, REPO_ROOT } from "../../scripts/lib/paths.ts";
import { runSync } from "../../scripts/lib/process.ts";
import { DEPLOY_DIR, find, rendered, renderSkip } from "../support/manifests.ts";
import { shippedPluginConfig, withCanaryRange } from "../support/wasmplugin-config.ts";
import { istioSchemaProblems } from "./support/istio-schema.ts";

const skip = renderSkip("manifests");

/** The README's patch command on the upstream overlay's gateway WasmPlugin, client-side. */
function patched(name: PatchName): Record<string, any> {
  const plugin = find(rendered("upstream"), "WasmPlugin", "hash-tagging", "istio-system").doc;
  const dir = mkdtempSync(join(tmpdir(), "hash-tagging-patch-"));
  try {
    const file = join(dir, "wasmplugin.json");
    writeFileSync(file, JSON.stringify(plugin));
    const args = patchArgs(name);
    assert.deepEqual(args.slice(0, 3), ["patch", "wasmplugin", "hash-tagging"]);
    const r = runSync(BINARIES.kubectl, ["patch", "--local", "-f", file, ...args.slice(3), "-o", "json"], { cwd: REPO_ROOT });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} (--local): ${r.stderr}`);
    const result = JSON.parse(r.stdout);
    assert.deepEqual(
      { ...result, spec: { ...result.spec, pluginConfig: undefined } },
      { ...plugin, spec: { ...plugin.spec, pluginConfig: undefined } },
      "only pluginConfig changes",
    );
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("deploy/istio/patches/ holds exactly ramp-50, promote and rollback", () => {
  assert.deepEqual(
    readdirSync(join(DEPLOY_DIR, "patches")).sort(),
    Object.keys(PATCHES)
      .map((n) => `${n}.yaml`)
      .sort(),
  );
});

for (const [name, range] of Object.entries(PATCHES) as [PatchName, number][]) {
  test(`patches/${name}.yaml: the shipped pluginConfig with the canary range ${range}, schema-valid, accepted by the filter`, {
    skip,
  }, async () => {
    const plugin = patched(name);
    assert.deepEqual(plugin.spec.pluginConfig, withCanaryRange(shippedPluginConfig(), range));
    assert.deepEqual(istioSchemaProblems(plugin), []);
    const { accepted, logs } = (await loadPlugin(RELEASE_WASM)).configure(JSON.stringify(plugin.spec.pluginConfig));
    assert.equal(accepted, true, JSON.stringify(logs));
  });
}
