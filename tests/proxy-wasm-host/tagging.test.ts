// The compiled filter tagging requests through the proxy-wasm ABI, checked against an independent FNV-1a.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadPlugin } from "../../scripts/lib/host/index.ts";
import { REFERENCE_CONFIG, referenceConfigWithCanary, WALKTHROUGH_USERS } from "../support/configs.ts";
import { fnv1a32, referenceTag } from "../support/fnv1a.ts";

async function referencePlugin(rootId = "") {
  const plugin = await loadPlugin(undefined, { rootId });
  const { accepted, logs } = plugin.configure(JSON.stringify(REFERENCE_CONFIG));
  assert.equal(accepted, true, JSON.stringify(logs));
  return plugin;
}

describe("tagging through the ABI", () => {
  it("tags the walk-through users as FNV-1a % 100 says", async () => {
    const plugin = await referencePlugin();
    for (const user of WALKTHROUGH_USERS) {
      const tag = plugin.request([["x-user-id", user]]).headers.getText("x-asm-prefer-tag");
      assert.equal(tag, referenceTag(user), `user ${user}: got ${tag}, want ${referenceTag(user)}`);
    }
  });

  it("works under any root id, the empty one (Istio's default) included", async () => {
    for (const rootId of ["", "hash-tagging", "my-plugin-name"]) {
      const plugin = await referencePlugin(rootId);
      assert.equal(
        plugin.request([["x-user-id", "jack"]]).headers.getText("x-asm-prefer-tag"),
        referenceTag("jack"),
        `root id "${rootId}"`,
      );
    }
  });

  it("sets no tag when the key header is missing or empty", async () => {
    const plugin = await referencePlugin();
    assert.equal(plugin.request([["x-other", "jack"]]).headers.get("x-asm-prefer-tag"), undefined);
    assert.equal(plugin.request([["x-user-id", ""]]).headers.get("x-asm-prefer-tag"), undefined);
  });

  it("replaces a client-supplied tag header, never appends", async () => {
    const plugin = await referencePlugin();
    const user = WALKTHROUGH_USERS.find((u) => referenceTag(u) === "s1")!;
    const { headers } = plugin.request([
      ["x-user-id", user],
      ["x-asm-prefer-tag", "s2"],
      ["x-asm-prefer-tag", "forged"],
    ]);
    assert.deepEqual(headers.getAll("x-asm-prefer-tag"), ["s1"]);
  });

  it("hashes the header's raw bytes, non-UTF-8 included", async () => {
    const plugin = await referencePlugin();
    for (let i = 0; i < 50; i++) {
      const raw = Uint8Array.from({ length: 1 + (i % 9) }, (_, j) => (0x80 + i * 7 + j * 13) & 0xff);
      const expected = fnv1a32(raw) % 100 < 20 ? "s2" : "s1";
      assert.equal(plugin.request([["x-user-id", raw]]).headers.getText("x-asm-prefer-tag"), expected);
    }
  });

  it("leaves requests untagged past the last range, and the client's header as it was", async () => {
    const plugin = await loadPlugin();
    const config = {
      rules: [{ header: "x-user-id", modulo: 100, tagHeader: "x-asm-prefer-tag", policies: [{ range: 30, tagValue: "s2" }] }],
    };
    assert.equal(plugin.configure(JSON.stringify(config)).accepted, true);
    const untagged = Array.from({ length: 100 }, (_, i) => `u${i}`).filter((u) => referenceTag(u, 30) === "s1");
    assert.ok(untagged.length > 50);
    for (const user of untagged) {
      assert.equal(plugin.request([["x-user-id", user]]).headers.get("x-asm-prefer-tag"), undefined, user);
      assert.deepEqual(
        plugin
          .request([
            ["x-user-id", user],
            ["x-asm-prefer-tag", "mine"],
          ])
          .headers.getAll("x-asm-prefer-tag"),
        ["mine"],
        user,
      );
    }
  });

  it("routes nobody to the canary when its range is 0 (the reference rollback)", async () => {
    const plugin = await loadPlugin();
    assert.equal(plugin.configure(JSON.stringify(referenceConfigWithCanary(0))).accepted, true);
    for (let i = 0; i < 500; i++) {
      assert.equal(plugin.request([["x-user-id", `user-${i}`]]).headers.getText("x-asm-prefer-tag"), "s1");
    }
  });

  it("runs several rules independently and in order", async () => {
    const plugin = await loadPlugin();
    const config = {
      rules: [
        {
          name: "lane",
          header: "x-user-id",
          modulo: 100,
          tagHeader: "x-asm-prefer-tag",
          policies: [
            { range: 20, tagValue: "s2" },
            { range: 100, tagValue: "s1" },
          ],
        },
        {
          name: "tenant",
          header: "x-tenant",
          modulo: 2,
          tagHeader: "x-tenant-shard",
          policies: [
            { range: 1, tagValue: "even" },
            { range: 2, tagValue: "odd" },
          ],
        },
        { name: "override", header: "x-user-id", modulo: 1, tagHeader: "x-last-rule", policies: [{ range: 1, tagValue: "ran" }] },
      ],
    };
    assert.equal(plugin.configure(JSON.stringify(config)).accepted, true);
    const tenant = "acme";
    const { headers } = plugin.request([
      ["x-user-id", "jack"],
      ["x-tenant", tenant],
    ]);
    assert.equal(headers.getText("x-asm-prefer-tag"), referenceTag("jack"));
    assert.equal(headers.getText("x-tenant-shard"), fnv1a32(Buffer.from(tenant)) % 2 === 0 ? "even" : "odd");
    assert.equal(headers.getText("x-last-rule"), "ran");
    const onlyTenant = plugin.request([["x-tenant", tenant]]).headers;
    assert.equal(onlyTenant.get("x-asm-prefer-tag"), undefined);
    assert.equal(onlyTenant.get("x-last-rule"), undefined);
    assert.ok(onlyTenant.get("x-tenant-shard"));
  });

  it("logs each decision when debug.enabled is set, and nothing per request otherwise", async () => {
    const quiet = await referencePlugin();
    assert.deepEqual(quiet.request([["x-user-id", "jack"]]).logs, []);
    const verbose = await loadPlugin();
    verbose.configure(JSON.stringify({ debug: { enabled: true }, ...REFERENCE_CONFIG }));
    const bucket = fnv1a32(Buffer.from("jack")) % 100;
    assert.deepEqual(verbose.request([["x-user-id", "jack"]]).logs, [
      { level: "info", message: `rule_0: bucket ${bucket} of 100 -> x-asm-prefer-tag: ${referenceTag("jack")}` },
    ]);
  });

  it("counts every decision per rule and outcome", async () => {
    const plugin = await loadPlugin();
    const config = {
      rules: [
        { ...REFERENCE_CONFIG.rules[0], name: "lanes" },
        { header: "x-user-id", modulo: 100, tagHeader: "x-half", policies: [{ range: 50, tagValue: "low" }] },
      ],
    };
    assert.equal(plugin.configure(JSON.stringify(config)).accepted, true);
    const users = Array.from({ length: 1000 }, (_, i) => `counted-${i}`);
    for (const user of users) plugin.request([["x-user-id", user]]);
    for (let i = 0; i < 7; i++) plugin.request([["x-other", "1"]]);
    plugin.request([["x-user-id", ""]]);
    const canary = users.filter((u) => referenceTag(u) === "s2").length;
    const low = users.filter((u) => referenceTag(u, 50) === "s2").length;
    assert.deepEqual(Object.fromEntries(plugin.counters), {
      "hash_tagging.lanes.tag.s2": canary,
      "hash_tagging.lanes.tag.s1": users.length - canary,
      "hash_tagging.lanes.past_last_range": 0,
      "hash_tagging.lanes.no_key": 8,
      "hash_tagging.rule_1.tag.low": low,
      "hash_tagging.rule_1.past_last_range": users.length - low,
      "hash_tagging.rule_1.no_key": 8,
    });
  });
});
