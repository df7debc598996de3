// Every config field beyond the reference's three, through the ABI: what a request gets, and what it
// costs in host calls. Expected lanes come from tests/support/fnv1a.ts (independent of the filter);
// query parameters are decoded by Node's URLSearchParams, never by the filter's code.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadPlugin, type PluginHost } from "../../scripts/lib/host/index.ts";
import { REFERENCE_CONFIG } from "../support/configs.ts";
import { type HashName, referenceTag, ruleHash } from "../support/fnv1a.ts";
import { Random } from "../support/random.ts";

type Rule = Record<string, unknown>;
const TAG = "x-asm-prefer-tag";
const baseRule = (extra: Rule = {}): Rule => ({ ...REFERENCE_CONFIG.rules[0], ...extra });
const users = (n: number, prefix = "user") => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

async function pluginWith(...rules: Rule[]): Promise<PluginHost> {
  const plugin = await loadPlugin();
  const { accepted, logs } = plugin.configure(JSON.stringify({ rules }));
  assert.equal(accepted, true, JSON.stringify(logs));
  return plugin;
}

function tagOf(plugin: PluginHost, headers: Array<[string, string]>, tagHeader = TAG): string | undefined {
  return plugin.request(headers).headers.getText(tagHeader);
}

/** Host calls of one request, by name. */
function hostCallsOf(plugin: PluginHost, headers: Array<[string, string]>): Record<string, number> {
  plugin.importCalls.clear();
  plugin.request(headers);
  return Object.fromEntries(plugin.importCalls);
}

describe("partitionedPolicies", () => {
  it("tags exactly like the same cumulative policies, weights summing exactly to modulo", async () => {
    const weighted = await pluginWith(
      baseRule({
        policies: undefined,
        partitionedPolicies: [
          { weight: 20, tagValue: "s2" },
          { weight: 80, tagValue: "s1" },
        ],
      }),
    );
    for (const user of users(2000)) assert.equal(tagOf(weighted, [["x-user-id", user]]), referenceTag(user), user);
  });

  it("gives nobody a weight of 0, and leaves buckets past the sum untagged", async () => {
    const plugin = await pluginWith(
      baseRule({
        policies: undefined,
        partitionedPolicies: [
          { weight: 10, tagValue: "a" },
          { weight: 0, tagValue: "never" },
          { weight: 30, tagValue: "b" },
        ],
      }),
    );
    const seen = new Map<string, number>();
    for (const user of users(3000)) {
      const bucket = ruleHash(user) % 100;
      const tag = tagOf(plugin, [["x-user-id", user]]) ?? "none";
      assert.equal(tag, bucket < 10 ? "a" : bucket < 40 ? "b" : "none", `${user}: bucket ${bucket}`);
      seen.set(tag, (seen.get(tag) ?? 0) + 1);
    }
    assert.equal(seen.get("never"), undefined);
    assert.ok((seen.get("a") ?? 0) > 0 && (seen.get("b") ?? 0) > 0 && (seen.get("none") ?? 0) > 0);
  });
});

describe("seed and hash", () => {
  /** The bucket the filter logs for `key` with modulo 4294967295, where bucket = hash except for 0xffffffff. */
  async function loggedHashes(options: { seed?: string; hash?: HashName }, keys: Uint8Array[]): Promise<number[]> {
    const plugin = await loadPlugin();
    const config = {
      debug: { enabled: true },
      rules: [baseRule({ modulo: 4294967295, policies: [{ range: 4294967295, tagValue: "t" }], ...options })],
    };
    assert.equal(plugin.configure(JSON.stringify(config)).accepted, true);
    return keys.map((key) => {
      const line = plugin.request([["x-user-id", key]]).logs[0].message;
      return Number(/bucket (\d+) of/.exec(line)![1]);
    });
  }

  it("match the independent TypeScript FNV-1a, seeded and finalized, over random keys", async () => {
    const random = new Random(8);
    const keys = Array.from({ length: 300 }, () => random.bytes(1 + random.int(40)).map((b) => (b < 0x20 ? b + 0x20 : b)));
    const variants: Array<{ seed?: string; hash?: HashName }> = [
      {},
      { hash: "fnv1a32-fmix32" },
      { seed: "exp-1" },
      { seed: "exp-1", hash: "fnv1a32-fmix32" },
      { seed: "é ü" },
    ];
    for (const options of variants) {
      const hashes = await loggedHashes(options, keys);
      keys.forEach((key, i) => assert.equal(hashes[i], ruleHash(key, options) % 4294967295, `${JSON.stringify(options)} key #${i}`));
    }
  });

  it("with different seeds pick independent users", async () => {
    const a = await pluginWith(baseRule({ seed: "experiment-a", policies: [{ range: 50, tagValue: "in" }] }));
    const b = await pluginWith(baseRule({ seed: "experiment-b", policies: [{ range: 50, tagValue: "in" }] }));
    let both = 0;
    const ids = users(4000);
    for (const user of ids) if (tagOf(a, [["x-user-id", user]]) === "in" && tagOf(b, [["x-user-id", user]]) === "in") both++;
    // Independent halves overlap on about a quarter; the same users would overlap on half.
    assert.ok(both > ids.length * 0.2 && both < ids.length * 0.3, `${both} of ${ids.length} in both`);
  });

  it("fnv1a32-fmix32 spreads sequential ids evenly over 1000 buckets where plain FNV-1a does not", async () => {
    const count = (hash: HashName) => {
      const perBucket = new Array<number>(1000).fill(0);
      for (let i = 0; i < 100_000; i++) perBucket[ruleHash(`${i}`, { hash }) % 1000]++;
      return Math.max(...perBucket) - Math.min(...perBucket);
    };
    // What the filter computes is checked above; this documents why the option exists.
    assert.ok(count("fnv1a32-fmix32") < count("fnv1a32"), `spread: fmix ${count("fnv1a32-fmix32")}, plain ${count("fnv1a32")}`);
  });
});

describe("overrides", () => {
  it("pin a user the hash would place elsewhere, and leave everyone else to the hash", async () => {
    const pinned = users(200).find((u) => referenceTag(u) === "s1")!;
    const plugin = await pluginWith(baseRule({ overrides: { [pinned]: "s2", "qa-bot": "qa" } }));
    assert.equal(tagOf(plugin, [["x-user-id", pinned]]), "s2");
    assert.equal(tagOf(plugin, [["x-user-id", "qa-bot"]]), "qa");
    for (const user of users(500, "other")) assert.equal(tagOf(plugin, [["x-user-id", user]]), referenceTag(user));
    assert.equal(plugin.counters.get("hash_tagging.rule_0.override"), 2);
  });

  it("hold 10,000 entries, each found exactly, with a seed in play", async () => {
    const keys = users(10_000, "pinned");
    const overrides = Object.fromEntries(keys.map((k, i) => [k, `t${i % 7}`]));
    const plugin = await pluginWith(baseRule({ seed: "s", overrides }));
    for (let i = 0; i < keys.length; i += 37) assert.equal(tagOf(plugin, [["x-user-id", keys[i]]]), `t${i % 7}`);
    assert.equal(tagOf(plugin, [["x-user-id", "pinned-10000"]]), ruleHash("pinned-10000", { seed: "s" }) % 100 < 20 ? "s2" : "s1");
  });

  it("match a cookie's value and a query parameter's decoded value", async () => {
    const plugin = await pluginWith(
      { name: "c", cookie: "uid", modulo: 100, tagHeader: "x-c", policies: [{ range: 0, tagValue: "x" }], overrides: { jason: "vip" } },
      { name: "q", query: "uid", modulo: 100, tagHeader: "x-q", policies: [{ range: 0, tagValue: "x" }], overrides: { "josé p": "vip" } },
    );
    const { headers } = plugin.request([
      ["cookie", "a=1; uid=jason"],
      [":path", "/?uid=jos%C3%A9+p"],
    ]);
    assert.equal(headers.getText("x-c"), "vip");
    assert.equal(headers.getText("x-q"), "vip");
  });
});

describe("defaultTagValue", () => {
  it("is written with no key, an empty key, or a bucket past the last range, and counted as default", async () => {
    const plugin = await pluginWith(baseRule({ policies: [{ range: 20, tagValue: "s2" }], defaultTagValue: "base" }));
    assert.equal(
      tagOf(plugin, [
        ["x-other", "1"],
        [TAG, "forged"],
      ]),
      "base",
    );
    assert.equal(tagOf(plugin, [["x-user-id", ""]]), "base");
    const past = users(200).find((u) => referenceTag(u) === "s1")!;
    const canary = users(200).find((u) => referenceTag(u) === "s2")!;
    assert.equal(tagOf(plugin, [["x-user-id", past]]), "base");
    assert.equal(tagOf(plugin, [["x-user-id", canary]]), "s2");
    assert.deepEqual(Object.fromEntries(plugin.counters), { "hash_tagging.rule_0.tag.s2": 1, "hash_tagging.rule_0.default": 3 });
  });
});

describe("clientTag", () => {
  it('"remove" strips a client-sent tag when the rule writes none, with one remove call', async () => {
    const plugin = await pluginWith(baseRule({ policies: [{ range: 20, tagValue: "s2" }], clientTag: "remove" }));
    const past = users(200).find((u) => referenceTag(u) === "s1")!;
    assert.equal(
      tagOf(plugin, [
        ["x-other", "1"],
        [TAG, "s2"],
        [TAG, "s2"],
      ]),
      undefined,
    );
    assert.equal(
      tagOf(plugin, [
        ["x-user-id", past],
        [TAG, "s2"],
      ]),
      undefined,
    );
    assert.deepEqual(hostCallsOf(plugin, [[TAG, "s2"]]), {
      proxy_get_header_map_value: 1,
      proxy_increment_metric: 1,
      proxy_remove_header_map_value: 1,
    });
    const canary = users(200).find((u) => referenceTag(u) === "s2")!;
    assert.deepEqual(
      plugin
        .request([
          ["x-user-id", canary],
          [TAG, "forged"],
        ])
        .headers.getAll(TAG),
      ["s2"],
    );
    assert.deepEqual(hostCallsOf(plugin, [["x-user-id", canary]]), {
      proxy_get_header_map_value: 1,
      proxy_replace_header_map_value: 1,
      proxy_increment_metric: 1,
    });
  });

  it('"keep" (the default) leaves it, as the reference does', async () => {
    for (const clientTag of ["keep", undefined]) {
      const plugin = await pluginWith(baseRule({ clientTag }));
      assert.equal(
        tagOf(plugin, [
          ["x-other", "1"],
          [TAG, "mine"],
        ]),
        "mine",
      );
    }
  });
});

describe("cookie and query keys", () => {
  const cookieRule = baseRule({ header: undefined, cookie: "uid" });
  const queryRule = baseRule({ header: undefined, query: "uid" });

  it("read a cookie by its whole name: uid is not xuid", async () => {
    const plugin = await pluginWith(cookieRule);
    for (const user of users(100)) {
      assert.equal(tagOf(plugin, [["cookie", `xuid=wrong-${user}; uid=${user}; uidx=other`]]), referenceTag(user), user);
    }
    assert.equal(tagOf(plugin, [["cookie", "xuid=jack"]]), undefined);
    assert.equal(tagOf(plugin, [["x-user-id", "jack"]]), undefined);
    assert.equal(plugin.counters.get("hash_tagging.rule_0.no_key"), 2);
  });

  it("read a query parameter percent-decoded, as URLSearchParams decodes it", async () => {
    const plugin = await pluginWith(queryRule);
    const ids = ["jack", "josé", "a b+c", "100%", "x&y=z", "日本"];
    for (const id of ids) {
      const path = `/shop?x=1&uid=${encodeURIComponent(id)}&uid=second`;
      const decoded = new URLSearchParams(path.split("?")[1]).get("uid")!;
      assert.equal(decoded, id);
      assert.equal(tagOf(plugin, [[":path", path]]), ruleHash(decoded) % 100 < 20 ? "s2" : "s1", path);
    }
    assert.equal(tagOf(plugin, [[":path", "/?uid=a+b"]]), tagOf(plugin, [[":path", "/?uid=a%20b"]]));
    assert.equal(tagOf(plugin, [[":path", "/?xuid=1&uid="]]), undefined);
    assert.equal(tagOf(plugin, [[":path", "/uid=jack"]]), undefined);
  });

  it("cost one read of the header the key is in", async () => {
    assert.deepEqual(hostCallsOf(await pluginWith(cookieRule), [["cookie", "uid=jack"]]), {
      proxy_get_header_map_value: 1,
      proxy_replace_header_map_value: 1,
      proxy_increment_metric: 1,
    });
    assert.deepEqual(hostCallsOf(await pluginWith(queryRule), [[":path", "/?uid=jack"]]), {
      proxy_get_header_map_value: 1,
      proxy_replace_header_map_value: 1,
      proxy_increment_metric: 1,
    });
  });
});

describe("match", () => {
  const scoped = baseRule({ match: { hosts: ["shop.example.com", "*.example.org"], pathPrefixes: ["/api/"] } });

  it("applies a rule only to matching hosts (port ignored, any case, *. for subdomains) and paths", async () => {
    const plugin = await pluginWith(scoped);
    const applies = (authority: string, path: string) =>
      tagOf(plugin, [
        [":authority", authority],
        [":path", path],
        ["x-user-id", "jack"],
      ]) !== undefined;
    assert.equal(applies("shop.example.com", "/api/cart"), true);
    assert.equal(applies("SHOP.Example.com:8443", "/api/"), true);
    assert.equal(applies("a.b.example.org", "/api/x"), true);
    assert.equal(applies("example.org", "/api/x"), false);
    assert.equal(applies("shop.example.com.evil", "/api/x"), false);
    assert.equal(applies("shop.example.com", "/apix"), false);
    assert.equal(applies("shop.example.com", "/API/x"), false);
    assert.equal(
      tagOf(plugin, [
        [":path", "/api/"],
        ["x-user-id", "jack"],
      ]),
      undefined,
    );
  });

  it("leaves out-of-scope requests untagged and uncounted, and keeps the client's tag only under clientTag keep", async () => {
    const removing = await pluginWith({ ...scoped, clientTag: "remove", defaultTagValue: "d" });
    assert.equal(
      tagOf(removing, [
        [":authority", "other.com"],
        [":path", "/api/"],
        [TAG, "mine"],
      ]),
      undefined,
    );
    assert.deepEqual(
      [...removing.counters.values()].reduce((a, b) => a + b, 0),
      0,
    );
    const keeping = await pluginWith(scoped);
    assert.equal(
      tagOf(keeping, [
        [":authority", "other.com"],
        [":path", "/api/"],
        [TAG, "mine"],
      ]),
      "mine",
    );
  });

  it("finds a host in any spelling Envoy routes alike, and nothing in what is not a host", async () => {
    const plugin = await pluginWith(baseRule({ match: { hosts: ["shop.example.com", "[::1]", "127.0.0.1"] } }));
    const applies = (authority: string) =>
      tagOf(plugin, [
        [":authority", authority],
        ["x-user-id", "jack"],
      ]) !== undefined;
    for (const host of ["shop.example.com.", "shop.example.com.:80", "[0:0::1]", "[0000::0001]:8080", "127.0.0.01", "127.000.0.1:80"])
      assert.equal(applies(host), true, host);
    for (const host of ["[::1]x", "[::2]", "127.0.0.2", "shop.example.com:80x", "shop.example.com.."])
      assert.equal(applies(host), false, host);
  });

  it("keeps a tag an earlier rule of the request wrote when a later rule with clientTag remove writes none", async () => {
    const first = baseRule({ name: "first" });
    const second = baseRule({ name: "second", header: "x-other", clientTag: "remove" });
    const plugin = await pluginWith(first, second);
    assert.equal(
      tagOf(plugin, [
        ["x-user-id", "jack"],
        [TAG, "forged"],
      ]),
      referenceTag("jack"),
    );
    assert.equal(tagOf(plugin, [[TAG, "forged"]]), undefined);
  });

  it("reads :authority and :path only for the lists a rule has, and :path once for a query rule", async () => {
    const headers: Array<[string, string]> = [
      [":authority", "shop.example.com"],
      [":path", "/api/?uid=jack"],
      ["x-user-id", "jack"],
    ];
    assert.deepEqual(hostCallsOf(await pluginWith(scoped), headers), {
      proxy_get_header_map_value: 3,
      proxy_replace_header_map_value: 1,
      proxy_increment_metric: 1,
    });
    assert.deepEqual(hostCallsOf(await pluginWith(baseRule({ match: { hosts: ["shop.example.com"] } })), headers), {
      proxy_get_header_map_value: 2,
      proxy_replace_header_map_value: 1,
      proxy_increment_metric: 1,
    });
    const query = baseRule({ header: undefined, query: "uid", match: { pathPrefixes: ["/api/"] } });
    assert.deepEqual(hostCallsOf(await pluginWith(query), headers), {
      proxy_get_header_map_value: 1,
      proxy_replace_header_map_value: 1,
      proxy_increment_metric: 1,
    });
    assert.deepEqual(hostCallsOf(await pluginWith(scoped), [[":authority", "nope.com"]]), { proxy_get_header_map_value: 1 });
  });
});

describe("header names in any case", () => {
  it("are read and written lowercased", async () => {
    const plugin = await pluginWith(baseRule({ header: "X-User-Id", tagHeader: "X-ASM-Prefer-Tag" }));
    assert.equal(tagOf(plugin, [["x-user-id", "jack"]]), referenceTag("jack"));
  });
});

describe("debug log lines", () => {
  it("name the outcome: override, default, removal", async () => {
    const plugin = await loadPlugin();
    const config = {
      debug: { enabled: true },
      rules: [baseRule({ name: "r", overrides: { jason: "s2" }, clientTag: "remove", policies: [{ range: 20, tagValue: "s2" }] })],
    };
    assert.equal(plugin.configure(JSON.stringify(config)).accepted, true);
    const past = users(200).find((u) => referenceTag(u) === "s1")!;
    const line = (headers: Array<[string, string]>) => plugin.request(headers).logs.map((l) => l.message);
    assert.deepEqual(line([["x-user-id", "jason"]]), ["r: override -> x-asm-prefer-tag: s2"]);
    assert.deepEqual(line([["x-other", "1"]]), ["r: no key -> no tag; the client's x-asm-prefer-tag removed"]);
    assert.deepEqual(line([["x-user-id", past]]), [
      `r: bucket ${ruleHash(past) % 100} of 100 -> no tag (past the last range); the client's x-asm-prefer-tag removed`,
    ]);
  });
});
