// The WasmPlugin's pluginConfig, and the edits the README tells operators to make to it, through the
// compiled filter (build/plugin.wasm in the Node proxy-wasm host): a config the filter refuses would be
// NACKed by Envoy and leave the previous one serving, so the shipped YAML must be one it accepts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadPlugin } from "../../scripts/lib/host/index.ts";
import { PLUGIN_WASM as RELEASE_WASM } from "../../scripts/lib/paths.ts";
import { referenceTag } from "../support/fnv1a.ts";
import { rendered, renderSkip } from "../support/manifests.ts";
import { shippedPluginConfig, withCanaryRange } from "../support/wasmplugin-config.ts";

const errors = (logs: { level: string; message: string }[]) => logs.filter((l) => l.level === "error").map((l) => l.message);
const USERS = ["bob", "stacy", "jessie", "vance", "jack", ...Array.from({ length: 200 }, (_, i) => `user-${i}`)];

async function configured(config: object) {
  const plugin = await loadPlugin(RELEASE_WASM);
  const result = plugin.configure(JSON.stringify(config));
  return { plugin, ...result };
}

test("deploy/istio/base/wasmplugin.yaml's pluginConfig is accepted with no error logged", async () => {
  const { accepted, logs } = await configured(shippedPluginConfig());
  assert.deepEqual(errors(logs), []);
  assert.equal(accepted, true);
});

for (const [range, step] of [
  [20, "as shipped"],
  [50, "ramp"],
  [100, "full canary: every user tagged s2"],
  [0, "roll back"],
] as const) {
  test(`canary range ${range} (${step}): accepted, and users get the tags FNV-1a gives them`, async () => {
    const { plugin, accepted, logs } = await configured(withCanaryRange(shippedPluginConfig(), range));
    assert.equal(accepted, true, `refused: ${errors(logs).join("; ")}`);
    for (const user of USERS) {
      const tag = plugin.request([["x-user-id", user]]).headers.getText("x-asm-prefer-tag");
      assert.equal(tag, referenceTag(user, range), `user ${user} at range ${range}`);
    }
  });
}

test("ramping 20 -> 50 only moves users into the canary, never out", async () => {
  const before = (await configured(shippedPluginConfig())).plugin;
  const after = (await configured(withCanaryRange(shippedPluginConfig(), 50))).plugin;
  const tagOf = (plugin: typeof before, user: string) => plugin.request([["x-user-id", user]]).headers.getText("x-asm-prefer-tag");
  const leaving = USERS.filter((user) => tagOf(before, user) === "s2" && tagOf(after, user) !== "s2");
  assert.deepEqual(leaving, []);
  assert.ok(
    USERS.some((user) => tagOf(before, user) === "s1" && tagOf(after, user) === "s2"),
    "no user moved in: the ramp did nothing",
  );
});

test("a client without x-user-id cannot pick its lane: the shipped clientTag removes the tag it sent", async () => {
  const { plugin } = await configured(shippedPluginConfig());
  assert.equal(plugin.request([["x-asm-prefer-tag", "s2"]]).headers.get("x-asm-prefer-tag"), undefined);
  assert.equal(
    plugin
      .request([
        ["x-user-id", "jack"],
        ["x-asm-prefer-tag", "s1"],
      ])
      .headers.getText("x-asm-prefer-tag"),
    referenceTag("jack"),
  );
});

test("a mistyped edit (range past modulo) is refused, naming the field: it would never reach the gateway", async () => {
  const { accepted, logs } = await configured(withCanaryRange(shippedPluginConfig(), 120));
  assert.equal(accepted, false);
  assert.ok(
    errors(logs).some((line) => line.includes("rules[0].policies[0].range")),
    errors(logs).join("\n"),
  );
});

// Waits on the filter's passThrough block (the sidecar pass-through).
test("upstream/pass-through/: each sidecar WasmPlugin's pluginConfig is accepted with no error logged", {
  skip: renderSkip("manifests"),
}, async () => {
  const plugins = rendered("upstream").filter((m) => m.doc.kind === "WasmPlugin" && m.doc.metadata.namespace === "default");
  assert.equal(plugins.length, 6, "two per service of the lane group: inbound and outbound");
  for (const m of plugins) {
    const { accepted, logs } = await configured(m.doc.spec.pluginConfig);
    assert.deepEqual(errors(logs), [], m.where);
    assert.equal(accepted, true, m.where);
  }
});
