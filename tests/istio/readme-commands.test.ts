// The README's deploy commands, read out of README.md and run on the shipped files: the sed that fills
// in the image and its digest, and the JSON patches for ramp and roll back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { loadPlugin } from "../../scripts/lib/host/index.ts";
import { PLUGIN_WASM as RELEASE_WASM } from "../../scripts/lib/paths.ts";
import { istioSchemaProblems } from "./support/istio-schema.ts";
import { DEPLOY_DIR } from "../support/manifests.ts";

const IMAGE = "registry.example.com/team/hash-tagging:0.1.0";
const DIGEST = "0123456789abcdef".repeat(4);

const README = readFileSync("README.md", "utf8");

/** The README's sed expression for the WasmPlugin, with the shell's variables and escapes resolved. */
function readmeSedExpression(): string {
  const line = /^sed "(s\|\^  url: [^"]+)" deploy\/istio\/wasmplugin\.yaml/m.exec(README);
  assert.ok(line, "README.md has no sed line filling in deploy/istio/wasmplugin.yaml");
  return line[1].replaceAll("\\$", "$").replaceAll("$IMAGE", IMAGE).replaceAll("$DIGEST", DIGEST);
}

/** The JSON patches of the README's `kubectl patch wasmplugin` commands, in order. */
function readmePatches(): { op: string; path: string; value: number }[][] {
  const patches = [...README.matchAll(/kubectl -n istio-system patch wasmplugin hash-tagging --type json \\\n\s+-p '([^']+)'/g)];
  assert.ok(patches.length > 0, "README.md has no kubectl patch of the WasmPlugin");
  return patches.map((m) => JSON.parse(m[1]));
}

const SED_EXPRESSION = readmeSedExpression();

function rendered(): Record<string, any> {
  return parse(execFileSync("sed", [SED_EXPRESSION, join(DEPLOY_DIR, "wasmplugin.yaml")], { encoding: "utf8" }));
}

/** RFC 6902 "replace", as kubectl applies it: the path must already exist. */
function applyReplace(doc: Record<string, any>, patch: { op: string; path: string; value: unknown }[]): Record<string, any> {
  const result = structuredClone(doc);
  for (const { op, path, value } of patch) {
    assert.equal(op, "replace");
    const keys = path.split("/").slice(1);
    const parent = keys.slice(0, -1).reduce((node, key) => node?.[key], result as any);
    const last = keys[keys.length - 1];
    assert.ok(parent !== undefined && last in parent, `patch path ${path} does not exist in the WasmPlugin`);
    parent[last] = value;
  }
  return result;
}

test("the README's sed fills in url and sha256, and the result passes Istio's schema", () => {
  const plugin = rendered();
  assert.equal(plugin.spec.url, `oci://${IMAGE}`);
  assert.equal(plugin.spec.sha256, DIGEST);
  assert.match(plugin.spec.sha256, /^[0-9a-f]{64}$/, "Istio wants the manifest digest's 64 hex digits, no sha256: prefix");
  assert.deepEqual(istioSchemaProblems(plugin), []);
});

test("the README's patches are the ramp to 50 and the roll back to 0", () => {
  assert.deepEqual(readmePatches().map((patch) => patch.map((op) => op.value)), [[50], [0]]);
});

for (const patch of readmePatches()) {
  const range = patch[0].value;
  test(`the README's patch to range ${range} hits the canary policy and the filter accepts the result`, async () => {
    const patched = applyReplace(rendered(), patch);
    assert.deepEqual(patched.spec.pluginConfig.rules[0].policies[0], { range, tagValue: "s2" });
    assert.deepEqual(istioSchemaProblems(patched), []);
    const plugin = await loadPlugin(RELEASE_WASM);
    const { accepted, logs } = plugin.configure(JSON.stringify(patched.spec.pluginConfig));
    assert.equal(accepted, true, JSON.stringify(logs));
  });
}

test("the README's sed line for the sidecars' pass-through fills in every WasmPlugin's url and sha256, schema-valid", () => {
  const line = /^sed "(s\|\^  url: [^"]+)" deploy\/istio\/upstream\/pass-through\/wasmplugins\.yaml \| kubectl apply -f -/m.exec(README);
  assert.ok(line, "README.md has no sed line filling in deploy/istio/upstream/pass-through/wasmplugins.yaml");
  assert.equal(line[1], /^sed "(s\|\^  url: [^"]+)" deploy\/istio\/wasmplugin\.yaml/m.exec(README)?.[1], "the same expression as the gateway's");
  const text = execFileSync("sed", [SED_EXPRESSION, join(DEPLOY_DIR, "upstream/pass-through/wasmplugins.yaml")], { encoding: "utf8" });
  const plugins = parseAllDocuments(text).map((d) => d.toJS());
  assert.equal(plugins.length, 6);
  for (const plugin of plugins) {
    assert.equal(plugin.spec.url, `oci://${IMAGE}`);
    assert.equal(plugin.spec.sha256, DIGEST);
    assert.deepEqual(istioSchemaProblems(plugin), [], plugin.metadata.name);
  }
});
