// What a request costs the filter, counted exactly in the Node host (no timing): VM entries (each
// exported hook Envoy calls, and each malloc the host makes to copy bytes in), host calls, and
// linear memory, which must stay flat however many requests and reconfigurations go through.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadPlugin, type PluginHost } from "../../scripts/lib/host/index.ts";
import { REFERENCE_CONFIG } from "../support/configs.ts";
import { referenceTag } from "../support/fnv1a.ts";

const MAX_MEMORY_AFTER_CONFIGURE = 512 * 1024;

async function configured(config: object = REFERENCE_CONFIG): Promise<PluginHost> {
  const plugin = await loadPlugin();
  const { accepted, logs } = plugin.configure(JSON.stringify(config));
  assert.equal(accepted, true, JSON.stringify(logs));
  return plugin;
}

/** VM entries and host calls of one request, by name. */
function costOf(plugin: PluginHost, headers: Array<[string, string]>) {
  plugin.vmEntries.clear();
  plugin.importCalls.clear();
  plugin.request(headers);
  return { entries: Object.fromEntries(plugin.vmEntries), hostCalls: Object.fromEntries(plugin.importCalls) };
}

describe("cost of a request", () => {
  it("enters the VM twice when it tags: the header hook, and malloc for the key's bytes", async () => {
    assert.deepEqual(costOf(await configured(), [["x-user-id", "jack"]]), {
      entries: { proxy_on_request_headers: 1, malloc: 1 },
      hostCalls: { proxy_get_header_map_value: 1, proxy_replace_header_map_value: 1, proxy_increment_metric: 1 },
    });
  });

  it("enters the VM once when the key is absent: one read that finds nothing, one counter", async () => {
    assert.deepEqual(costOf(await configured(), [["x-other", "1"]]), {
      entries: { proxy_on_request_headers: 1 },
      hostCalls: { proxy_get_header_map_value: 1, proxy_increment_metric: 1 },
    });
  });

  it("adds one malloc, one read, one write and one counter per further rule, and no other hook", async () => {
    const rule = REFERENCE_CONFIG.rules[0];
    const fourRules = { rules: [0, 1, 2, 3].map((i) => ({ ...rule, name: `r${i}`, tagHeader: `x-tag-${i}` })) };
    assert.deepEqual(costOf(await configured(fourRules), [["x-user-id", "jack"]]), {
      entries: { proxy_on_request_headers: 1, malloc: 4 },
      hostCalls: { proxy_get_header_map_value: 4, proxy_replace_header_map_value: 4, proxy_increment_metric: 4 },
    });
  });
});

describe("linear memory", () => {
  it(`is at most ${MAX_MEMORY_AFTER_CONFIGURE / 1024} KiB after configure`, async () => {
    const plugin = await configured();
    assert.ok(plugin.memoryBytes <= MAX_MEMORY_AFTER_CONFIGURE, `${plugin.memoryBytes} bytes`);
  });

  it("stays flat over 1,000,000 requests", async () => {
    const plugin = await configured();
    const warmUp = 10_000;
    let afterWarmUp = 0;
    for (let i = 0; i < 1_000_000; i++) {
      if (i === warmUp) afterWarmUp = plugin.memoryBytes;
      plugin.request([["x-user-id", `user-${i}`]]);
    }
    console.log(`1,000,000 requests: linear memory ${afterWarmUp} bytes after ${warmUp}, ${plugin.memoryBytes} at the end`);
    assert.equal(plugin.memoryBytes, afterWarmUp);
    const total = [...plugin.counters.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, 1_000_000, "every request was counted");
  });

  it("stays flat with the decision log on (debug.enabled), whose lines are garbage once logged", async () => {
    const plugin = await configured({ debug: { enabled: true }, ...REFERENCE_CONFIG });
    for (let i = 0; i < 1_000; i++) plugin.request([["x-user-id", `user-${i}`]]);
    const afterWarmUp = plugin.memoryBytes;
    for (let i = 1_000; i < 100_000; i++) {
      const { logs } = plugin.request([["x-user-id", `user-${i}`]]);
      assert.equal(logs.length, 1);
    }
    assert.equal(plugin.memoryBytes, afterWarmUp);
  });

  it("stays flat over key values too large for the arena (they go to the heap and are freed)", async () => {
    const plugin = await configured();
    const big = (i: number) => `${i}-`.padEnd(100_000, "k");
    for (let i = 0; i < 100; i++) plugin.request([["x-user-id", big(i)]]);
    const afterWarmUp = plugin.memoryBytes;
    for (let i = 100; i < 2_000; i++) {
      const tag = plugin.request([["x-user-id", big(i)]]).headers.getText("x-asm-prefer-tag");
      if (i % 97 === 0) assert.equal(tag, referenceTag(big(i)));
    }
    assert.equal(plugin.memoryBytes, afterWarmUp);
  });

  it("stays flat over 1,000 reconfigurations, accepted and refused interleaved, and the last good one serves", async () => {
    const plugin = await configured();
    const refused = { rules: [{ ...REFERENCE_CONFIG.rules[0], modulo: 0 }] };
    const ramp = (range: number) => ({ rules: [{ ...REFERENCE_CONFIG.rules[0], policies: [{ range, tagValue: "s2" }, { range: 100, tagValue: "s1" }] }] });
    const warmUp = 100;
    let afterWarmUp = 0;
    for (let i = 0; i < 1_000; i++) {
      if (i === warmUp) afterWarmUp = plugin.memoryBytes;
      const accepted = plugin.configure(JSON.stringify(i % 2 ? refused : ramp(i % 100))).accepted;
      assert.equal(accepted, i % 2 === 0);
      plugin.request([["x-user-id", "jack"]]);
    }
    assert.equal(plugin.memoryBytes, afterWarmUp);
    assert.equal(plugin.request([["x-user-id", "jack"]]).headers.getText("x-asm-prefer-tag"), referenceTag("jack", 998 % 100));
  });
});
