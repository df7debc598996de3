// The filter's decision counters as Envoy exposes them: /stats (wasmcustom.*) and /stats/prometheus.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestbed, type Testbed } from "../../src/envoy/testbed.js";
import { PLUGIN_WASM, closeClients, envoyForTests, expectedTag, get, mapConcurrent, syntheticUsers, tagOf, withEnvoyLog } from "./support.js";

let bed: Testbed | undefined;
const e2e = (body: () => Promise<void>) => withEnvoyLog(() => bed?.envoy, body);

before(async () => {
  const envoy = await envoyForTests();
  bed = await startTestbed({ envoyBin: envoy.bin, wasmPath: PLUGIN_WASM, tagEcho: true });
});

after(async () => {
  await bed?.stop();
  closeClients();
});

test("Envoy counts each decision: tags per lane and requests without a key", e2e(async () => {
  const users = syntheticUsers(2_000, "counted-");
  await mapConcurrent(users, 32, (u) => tagOf(bed!.ingressUrl, u));
  for (let i = 0; i < 5; i++) await get(`${bed!.ingressUrl}/_tag`);
  const canary = users.filter((u) => expectedTag(u) === "s2").length;
  const want: Record<string, number> = {
    "wasmcustom.hash_tagging.rule_0.tag.s2": canary,
    "wasmcustom.hash_tagging.rule_0.tag.s1": users.length - canary,
    "wasmcustom.hash_tagging.rule_0.past_last_range": 0,
    "wasmcustom.hash_tagging.rule_0.no_key": 5,
  };
  for (const [name, value] of Object.entries(want)) {
    assert.equal(await bed!.envoy.stat(name), value, `${name}: got ${await bed!.envoy.stat(name)}, want ${value}`);
  }
  const prometheus = await bed!.envoy.admin("/stats/prometheus");
  assert.match(prometheus, new RegExp(`^hash_tagging_rule_0_tag_s2\\{\\} ${canary}$`, "m"), "the s2 counter in /stats/prometheus");
}));
