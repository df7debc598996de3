// The README's deploy commands, run on the shipped files: the sed that fills in the image and its digest,
// and the JSON patches for ramp and roll back. Keep these strings identical to the README's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { parse } from "yaml";
import { loadPlugin } from "../../src/host/index.ts";
import { RELEASE_WASM } from "../oci/support/project.ts";
import { istioSchemaProblems } from "./support/istio-schema.ts";
import { DEPLOY_DIR } from "./support/manifests.ts";

const IMAGE = "registry.example.com/team/hash-tagging:0.1.0";
const DIGEST = "0123456789abcdef".repeat(4);

// README: sed "s|^  url: oci://REGISTRY/hash-tagging:TAG\$|  url: oci://$IMAGE\n  sha256: $DIGEST|" deploy/istio/wasmplugin.yaml
const SED_EXPRESSION = `s|^  url: oci://REGISTRY/hash-tagging:TAG$|  url: oci://${IMAGE}\\n  sha256: ${DIGEST}|`;

// README: kubectl -n istio-system patch wasmplugin hash-tagging --type json -p '<patch>'
const rangePatch = (range: number) => [{ op: "replace", path: "/spec/pluginConfig/rules/0/policies/0/range", value: range }];

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

for (const [range, step] of [[50, "ramp"], [0, "roll back"]] as const) {
  test(`the README's ${step} patch (range ${range}) hits the canary policy and the filter accepts the result`, async () => {
    const patched = applyReplace(rendered(), rangePatch(range));
    assert.deepEqual(patched.spec.pluginConfig.rules[0].policies[0], { range, tagValue: "s2" });
    assert.deepEqual(istioSchemaProblems(patched), []);
    const plugin = await loadPlugin(RELEASE_WASM);
    const { accepted, logs } = plugin.configure(JSON.stringify(patched.spec.pluginConfig));
    assert.equal(accepted, true, JSON.stringify(logs));
  });
}
