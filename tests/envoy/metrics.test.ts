// The filter's decision counters as Envoy exposes them: /stats (wasmcustom.*) and /stats/prometheus.
import assert from "node:assert/strict";
import { test } from "node:test";
import { expectedTag, get, mapConcurrent, syntheticUsers, tagOf, useTestbed } from "./support.ts";

// About the gateway filter alone: the sidecars run no filter.
const { bed, e2e } = useTestbed({ sidecarPlugin: null });

test(
  "Envoy counts each decision: tags per lane and requests without a key",
  e2e(async () => {
    const users = syntheticUsers(2_000, "counted-");
    await mapConcurrent(users, 32, (u) => tagOf(bed().ingressUrl, u));
    for (let i = 0; i < 5; i++) await get(`${bed().ingressUrl}/_tag`);
    const canary = users.filter((u) => expectedTag(u) === "s2").length;
    const want: Record<string, number> = {
      "wasmcustom.hash_tagging.rule_0.tag.s2": canary,
      "wasmcustom.hash_tagging.rule_0.tag.s1": users.length - canary,
      "wasmcustom.hash_tagging.rule_0.past_last_range": 0,
      "wasmcustom.hash_tagging.rule_0.no_key": 5,
    };
    for (const [name, value] of Object.entries(want)) {
      assert.equal(await bed().envoy.stat(name), value, `${name}: got ${await bed().envoy.stat(name)}, want ${value}`);
    }
    const prometheus = await bed().envoy.admin("/stats/prometheus");
    assert.match(prometheus, new RegExp(`^hash_tagging_rule_0_tag_s2\\{\\} ${canary}$`, "m"), "the s2 counter in /stats/prometheus");
  }),
);
