// What a request costs the filter, counted exactly in the Node host (no timing): VM entries (each
// exported hook Envoy calls, and each malloc the host makes to copy bytes in), host calls, and
// linear memory, which must stay flat however many requests and reconfigurations go through.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadPlugin, PluginHost } from "../../scripts/lib/host/index.ts";
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

// Every request enters the VM at context creation (which root it belongs to), at its headers, and at
// deletion; the host's copies enter through malloc.
const PER_REQUEST = { proxy_on_context_create: 1, proxy_on_request_headers: 1, proxy_on_delete: 1 };

describe("cost of a request", () => {
  it("enters the VM four times when it tags: create, headers, delete, and malloc for the key's bytes", async () => {
    assert.deepEqual(costOf(await configured(), [["x-user-id", "jack"]]), {
      entries: { ...PER_REQUEST, malloc: 1 },
      hostCalls: { proxy_get_header_map_value: 1, proxy_replace_header_map_value: 1, proxy_increment_metric: 1 },
    });
  });

  it("enters the VM three times when the key is absent: one read that finds nothing, one counter", async () => {
    assert.deepEqual(costOf(await configured(), [["x-other", "1"]]), {
      entries: PER_REQUEST,
      hostCalls: { proxy_get_header_map_value: 1, proxy_increment_metric: 1 },
    });
  });

  it("reads and copies a key shared by further rules once: one write and one counter per rule", async () => {
    const rule = REFERENCE_CONFIG.rules[0];
    const fourRules = { rules: [0, 1, 2, 3].map((i) => ({ ...rule, name: `r${i}`, tagHeader: `x-tag-${i}` })) };
    assert.deepEqual(costOf(await configured(fourRules), [["x-user-id", "jack"]]), {
      entries: { ...PER_REQUEST, malloc: 1 },
      hostCalls: { proxy_get_header_map_value: 1, proxy_replace_header_map_value: 4, proxy_increment_metric: 4 },
    });
  });

  it("scans the cookie header once for rules on several cookies, and :path once for several parameters", async () => {
    const rule = REFERENCE_CONFIG.rules[0];
    const cookies = {
      rules: ["uid", "sid", "gid"].map((name, i) => ({ ...rule, header: undefined, cookie: name, name: `c${i}`, tagHeader: `x-tag-${i}` })),
    };
    const plugin = await configured(cookies);
    const { hostCalls } = costOf(plugin, [["cookie", "uid=jack; sid=bob; gid=vance"]]);
    assert.equal(hostCalls.proxy_get_header_map_value, 1);
    const tags = plugin.request([["cookie", "gid=vance; uid=jack; sid=bob; uid=late"]]).headers;
    assert.deepEqual(
      ["x-tag-0", "x-tag-1", "x-tag-2"].map((h) => tags.getText(h)),
      [referenceTag("jack"), referenceTag("bob"), referenceTag("vance")],
    );
    const queries = {
      rules: ["uid", "sid"].map((name, i) => ({ ...rule, header: undefined, query: name, name: `q${i}`, tagHeader: `x-tag-${i}` })),
    };
    const byQuery = await configured(queries);
    const result = byQuery.request([[":path", "/p?s%69d=bob&uid=jack&sid=late"]]).headers;
    assert.deepEqual(
      ["x-tag-0", "x-tag-1"].map((h) => result.getText(h)),
      [referenceTag("jack"), referenceTag("bob")],
    );
  });

  it("lets a rule key on the tag an earlier rule of the request wrote", async () => {
    const rule = REFERENCE_CONFIG.rules[0];
    const chained = {
      rules: [
        { ...rule, name: "first" },
        { ...rule, name: "second", header: rule.tagHeader, tagHeader: "x-second" },
      ],
    };
    const plugin = await configured(chained);
    const headers = plugin.request([
      ["x-user-id", "jack"],
      [rule.tagHeader, "forged"],
    ]).headers;
    assert.equal(headers.getText("x-second"), referenceTag(referenceTag("jack")!));
  });

  it("caps a key at maxKeyBytes: not hashed, counted as key_too_long", async () => {
    const plugin = await configured({ rules: [{ ...REFERENCE_CONFIG.rules[0], maxKeyBytes: 8 }] });
    assert.equal(plugin.request([["x-user-id", "123456789"]]).headers.getText("x-asm-prefer-tag"), undefined);
    assert.equal(plugin.request([["x-user-id", "jack"]]).headers.getText("x-asm-prefer-tag"), referenceTag("jack"));
    assert.equal(plugin.counters.get("hash_tagging.rule_0.key_too_long"), 1);
  });
});

describe("several configurations in one VM (Envoy's shared VM: Istio sets no vm_id)", () => {
  const ramp = (range: number) => ({
    rules: [
      {
        ...REFERENCE_CONFIG.rules[0],
        policies: [
          { range, tagValue: "s2" },
          { range: 100, tagValue: "s1" },
        ],
      },
    ],
  });

  it("serves each request its own root's configuration, with 3 roots interleaved", async () => {
    const plugin = await configured(ramp(20));
    const roots = [PluginHost.FIRST_ROOT, plugin.createRoot(), plugin.createRoot()];
    assert.equal(plugin.configure(JSON.stringify(ramp(10)), roots[1]).accepted, true);
    assert.equal(plugin.configure(JSON.stringify(ramp(50)), roots[2]).accepted, true);
    const ranges = [20, 10, 50];
    for (let i = 0; i < 3_000; i++) {
      const user = `user-${i}`;
      const r = i % 3;
      assert.equal(
        plugin.request([["x-user-id", user]], roots[r]).headers.getText("x-asm-prefer-tag"),
        referenceTag(user, ranges[r]),
        `${user} on root ${r}`,
      );
    }
  });

  it("keeps serving a root's configuration when another root is configured later (a rollback reuses a root)", async () => {
    const plugin = await configured(ramp(20));
    const newer = plugin.createRoot();
    assert.equal(plugin.configure(JSON.stringify(ramp(10)), newer).accepted, true);
    // jessie is in bucket 16: s2 at range 20, s1 at range 10.
    assert.equal(plugin.request([["x-user-id", "jessie"]], PluginHost.FIRST_ROOT).headers.getText("x-asm-prefer-tag"), "s2");
    assert.equal(plugin.request([["x-user-id", "jessie"]], newer).headers.getText("x-asm-prefer-tag"), "s1");
    assert.equal(plugin.configure(JSON.stringify({ rules: [] }), newer).accepted, false);
    assert.equal(
      plugin.request([["x-user-id", "jessie"]], newer).headers.getText("x-asm-prefer-tag"),
      "s1",
      "a refused config leaves the root's own",
    );
  });

  it("forgets a deleted root: its requests are untagged, and 10,000 roots created and deleted leave memory flat", async () => {
    const plugin = await configured(ramp(20));
    let afterWarmUp = 0;
    for (let i = 0; i < 10_000; i++) {
      if (i === 200) afterWarmUp = plugin.memoryBytes;
      const root = plugin.createRoot();
      assert.equal(plugin.configure(JSON.stringify(ramp(i % 100)), root).accepted, true);
      assert.equal(plugin.request([["x-user-id", "jack"]], root).headers.getText("x-asm-prefer-tag"), referenceTag("jack", i % 100));
      plugin.deleteRoot(root);
      assert.equal(plugin.request([["x-user-id", "jack"]], root).headers.getText("x-asm-prefer-tag"), undefined);
    }
    // Memory settles once a configure collects what the deleted roots left.
    plugin.configure(JSON.stringify(ramp(20)));
    console.log(`10,000 roots configured and deleted: linear memory ${afterWarmUp} bytes after 200, ${plugin.memoryBytes} at the end`);
    assert.equal(plugin.memoryBytes, afterWarmUp);
    assert.equal(plugin.request([["x-user-id", "jack"]]).headers.getText("x-asm-prefer-tag"), referenceTag("jack"));
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
    const ramp = (range: number) => ({
      rules: [
        {
          ...REFERENCE_CONFIG.rules[0],
          policies: [
            { range, tagValue: "s2" },
            { range: 100, tagValue: "s1" },
          ],
        },
      ],
    });
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
