// The CLI's answers (the filter's cli_ exports) against the filter's request path, the one Envoy runs:
// for every id, host and path, the tag each rule of a mixed configuration writes into a real request
// in the Node Proxy-Wasm host must be the lane `which` reports. The exports restate two small helpers
// of the request path (a key within its header, a path prefix), so this is what holds them equal.
import assert from "node:assert/strict";
import { it } from "node:test";
import { HeaderMap, loadPlugin } from "../../scripts/lib/host/index.ts";
import { Random } from "../support/random.ts";
import { FULL_SIZES } from "../support/tier.ts";
import { json, runCli, scratch } from "./run-cli.ts";

const { file } = scratch("filter-agreement");

const config = {
  rules: [
    {
      name: "api",
      header: "x-user-id",
      modulo: 10,
      tagHeader: "x-api",
      policies: [
        { range: 5, tagValue: "a1" },
        { range: 8, tagValue: "a2" },
      ],
      match: { pathPrefixes: ["/api", "/v2/"] },
    },
    {
      name: "session",
      cookie: "uid",
      modulo: 7,
      tagHeader: "x-session",
      partitionedPolicies: [
        { weight: 3, tagValue: "c1" },
        { weight: 2, tagValue: "c2" },
      ],
      overrides: { "vip-1": "staff" },
      defaultTagValue: "stable",
    },
    {
      name: "shop",
      query: "uid",
      modulo: 5,
      tagHeader: "x-shop",
      policies: [{ range: 4, tagValue: "q1" }],
      match: { hosts: ["shop.example.com", "*.shop.test"], pathPrefixes: ["/cart"] },
      seed: "s",
    },
    {
      name: "short",
      header: "x-user-id",
      modulo: 3,
      tagHeader: "x-short",
      policies: [{ range: 3, tagValue: "k" }],
      maxKeyBytes: 8,
      hash: "fnv1a32-fmix32",
    },
  ],
};

const random = new Random(18);
const alphabet = ["a", "b", "Z", "0", "9", "-", "_", ".", "~", " ", "%", "&", "=", "+", "/", "?", "#", "é", "vip;1", ";", ","];
const ids = [
  "vip-1",
  "x",
  "a-very-long-user-id",
  ...Array.from({ length: 150 }, () =>
    Array.from({ length: 1 + random.int(12) }, () => alphabet[random.int(alphabet.length)])
      .join("")
      .trim(),
  ).filter(Boolean),
];
const hosts = ["shop.example.com", "SHOP.example.com:8443", "eu.shop.test", "other.example.com", undefined];
const paths = ["/", "/api/x", "/v2/items?x=1", "/cart?page=2", "/cartography"];

// Every host with every path in CI; in `npm test`, each host once with another path (shop.example.com with /cart).
const places = hosts.flatMap((host, h) => paths.flatMap((path, p) => (FULL_SIZES || p === (h + 3) % paths.length ? [{ host, path }] : [])));

it("gives, for every id, host and path, the tag the request path writes", async () => {
  const plugin = await loadPlugin();
  assert.ok(plugin.configure(JSON.stringify(config)).accepted);
  const configFile = file("mixed.json", json(config));
  let compared = 0;
  const outcomes = new Set<string>();
  for (const { host, path } of places) {
    const args = ["which", "--json", "--path", path, ...(host === undefined ? [] : ["--host", host]), configFile, "-"];
    const result = runCli(args, `${ids.join("\n")}\n`);
    assert.equal(result.status, 0, result.stderr);
    const rows = JSON.parse(result.stdout) as Array<{ rule: string; tag?: string; outcome: string }>;
    assert.equal(rows.length, ids.length * config.rules.length);
    ids.forEach((id, i) => {
      const query = `${path}${path.includes("?") ? "&" : "?"}uid=${encodeURIComponent(id)}`;
      const request: Array<[string, string | Uint8Array]> = [
        [":method", "GET"],
        [":path", query],
        ["x-user-id", Buffer.from(id)],
        ["cookie", Buffer.from(`uid=${id}`)],
      ];
      if (host !== undefined) request.push([":authority", host]);
      const { headers } = plugin.request(new HeaderMap(request));
      config.rules.forEach((rule, r) => {
        const row = rows[i * config.rules.length + r];
        outcomes.add(`${rule.name}:${row.outcome}`);
        const written = headers.get(rule.tagHeader);
        assert.equal(
          row.tag,
          written === undefined ? undefined : Buffer.from(written).toString("utf8"),
          `${rule.name}, id ${JSON.stringify(id)}, host ${host}, path ${path}: ${row.outcome}`,
        );
        compared++;
      });
    });
  }
  for (const met of [
    "api:out_of_scope",
    "api:policy",
    "api:past_last_range",
    "session:override",
    "session:policy",
    "shop:out_of_scope",
    "shop:policy",
    "short:key_too_long",
    "short:policy",
  ]) {
    assert.ok(outcomes.has(met), `the cases meet ${met} (met: ${[...outcomes].sort().join(", ")})`);
  }
  console.log(`${compared} decisions compared, outcomes met: ${[...outcomes].sort().join(", ")}`);
});
