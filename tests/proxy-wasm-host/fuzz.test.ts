// CI-sized fuzzing of the compiled filter: random and mutated configs, random header bytes.
// Nothing may trap (a trap kills the plugin for every request of a gateway), acceptance must agree
// with the independent oracle, and linear memory must stop growing once warmed up.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadPlugin } from "../../scripts/lib/host/index.ts";
import { CONFIG_FIELDS, isValidConfigBytes } from "../support/config-oracle.ts";
import { EXTENDED_CONFIG, PASS_THROUGH_CONFIGS, REFERENCE_CONFIG } from "../support/configs.ts";
import { fnv1a32 } from "../support/fnv1a.ts";
import { Random } from "../support/random.ts";
import { expectedHeaders, type Headers } from "../support/tagging-model.ts";

// "" then a JSON path (name, .name, [0], ["odd name"]) then ": ".
const JSON_PATH_ERROR = /^(?:[A-Za-z_$][\w$]*|\.[A-Za-z_$][\w$]*|\[\d+\]|\["(?:[^"\\\x00-\x1f]|\\.)*"\])+: [^\r\n]*$/;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const CONFIGS_PER_KIND = Number(process.env.FUZZ_CONFIGS ?? 2000);
const HEADER_VALUES = Number(process.env.FUZZ_HEADERS ?? 100_000);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 20_000);

const ODD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1,
  1.5,
  20,
  100,
  4294967295,
  4294967296,
  1e300,
  -0,
  "",
  "x",
  "X-User-Id",
  ":path",
  "s1",
  "x-user-id",
  " s2",
  "s2\r\n",
  "é",
  "\u0000",
  [],
  [1],
  {},
  { a: 1 },
  "a".repeat(300),
  "keep",
  "remove",
  "fnv1a32",
  "fnv1a32-fmix32",
  "*.example.com",
  "a.com:80",
  "/api",
  "api",
  "cookie",
  ["a.com"],
  ["/"],
  { jason: "s2" },
  { "": "s1" },
  { hosts: ["a.com"] },
  { pathPrefixes: [] },
  [
    { weight: 20, tagValue: "s2" },
    { weight: 80, tagValue: "s1" },
  ],
  [{ weight: 101, tagValue: "s2" }],
  "auto",
  "inbound",
  "outbound",
  "baggage",
  "lane",
  "x-envoy-lane",
  "Host",
  8192,
  1048576,
  1048577,
  86400,
  86401,
];
// Field names the mutator adds: every known one, and near misses.
const FIELD_NAMES = [...new Set(Object.values(CONFIG_FIELDS).flat()), "extra", "tagheader", "Hosts", "weights"];

function mutateValue(random: Random, value: unknown, depth = 0): unknown {
  if (random.chance(0.15) || depth > 6) return random.pick(ODD_VALUES);
  if (Array.isArray(value)) {
    const copy = value.map((v) => (random.chance(0.3) ? mutateValue(random, v, depth + 1) : v));
    if (random.chance(0.1))
      copy.splice(random.int(copy.length + 1), 0, mutateValue(random, random.pick(value.length ? value : [{}]), depth + 1));
    if (random.chance(0.1) && copy.length) copy.splice(random.int(copy.length), 1);
    return copy;
  }
  if (typeof value === "object" && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (random.chance(0.05)) continue;
      copy[random.chance(0.03) ? key.toUpperCase() : key] = random.chance(0.3) ? mutateValue(random, v, depth + 1) : v;
    }
    if (random.chance(0.05)) copy[random.pick(FIELD_NAMES)] = random.pick(ODD_VALUES);
    return copy;
  }
  if (typeof value === "number" && random.chance(0.5)) return random.pick([value + 1, value - 1, value * 2, 0, value / 3]);
  return value;
}

function mutateText(random: Random, text: string): Uint8Array {
  const bytes = Array.from(Buffer.from(text));
  for (let edits = 1 + random.int(4); edits > 0; edits--) {
    const at = random.int(bytes.length + 1);
    const kind = random.int(4);
    if (kind === 0) bytes.splice(at, 1);
    else if (kind === 1)
      bytes.splice(at, 0, random.pick([0x22, 0x2c, 0x5b, 0x5d, 0x7b, 0x7d, 0x3a, 0x5c, 0x30, 0x2d, 0x65, random.int(256)]));
    else if (kind === 2) bytes[at] = random.int(256);
    else bytes.length = at;
  }
  return Uint8Array.from(bytes.filter((b) => b !== undefined));
}

describe(`fuzzing the compiled filter (seed ${SEED}; rerun with FUZZ_SEED=${SEED})`, () => {
  it(`survives ${CONFIGS_PER_KIND} structurally mutated, ${CONFIGS_PER_KIND} byte-mutated and ${CONFIGS_PER_KIND / 4} random-byte configs, agreeing with the oracle`, async () => {
    const random = new Random(SEED);
    const plugin = await loadPlugin();
    const bases = [REFERENCE_CONFIG, EXTENDED_CONFIG, ...PASS_THROUGH_CONFIGS];
    let accepted = 0;
    let refused = 0;
    const check = (bytes: Uint8Array, label: string) => {
      const result = plugin.configure(bytes);
      const valid = isValidConfigBytes(bytes);
      const text = Buffer.from(bytes).toString("utf8").slice(0, 300);
      assert.equal(
        result.accepted,
        valid,
        `${label}: filter ${result.accepted ? "accepted" : "refused"}, oracle says ${valid ? "valid" : "invalid"}: ${text}\n${JSON.stringify(result.logs)}`,
      );
      if (result.accepted) {
        accepted++;
        plugin.request([
          ["x-user-id", "fuzz"],
          ["x-tenant", "t"],
          [":authority", "shop.example.com"],
          [":path", "/api/?uid=f%75zz"],
          ["cookie", "uid=fuzz"],
        ]);
      } else {
        refused++;
        const errors = result.logs.filter((l) => l.level === "error");
        assert.ok(errors.length > 0, `${label}: refused without an error line: ${text}`);
        for (const e of errors) assert.match(e.message, JSON_PATH_ERROR, `${label}: error without a JSON path: ${e.message}`);
      }
    };
    for (let i = 0; i < CONFIGS_PER_KIND; i++)
      check(Buffer.from(JSON.stringify(mutateValue(random, bases[i % bases.length])) ?? "null"), `structural #${i}`);
    for (let i = 0; i < CONFIGS_PER_KIND; i++) check(mutateText(random, JSON.stringify(bases[i % bases.length])), `byte-mutated #${i}`);
    for (let i = 0; i < CONFIGS_PER_KIND / 4; i++) check(random.bytes(random.int(200)), `random bytes #${i}`);
    console.log(`config fuzz: ${accepted} accepted, ${refused} refused, 0 traps`);
    assert.ok(accepted > 0 && refused > 0, "the fuzz corpus should contain both valid and invalid configs");
  });

  it(`tags ${HEADER_VALUES} random header values correctly, without trapping or growing memory after warm-up`, async () => {
    const random = new Random(SEED + 1);
    const plugin = await loadPlugin();
    assert.equal(plugin.configure(JSON.stringify(REFERENCE_CONFIG)).accepted, true);
    const warmUp = Math.max(HEADER_VALUES / 5, 5000);
    let memoryAfterWarmUp = 0;
    let largest = 0;
    for (let i = 0; i < HEADER_VALUES; i++) {
      const length = i % 1000 === 999 ? 65536 : random.pick([0, 1, 2, 8, 16, 36, 64, random.int(512)]);
      const value = random.bytes(length);
      largest = Math.max(largest, length);
      const tag = plugin
        .request([
          ["x-user-id", value],
          ["x-asm-prefer-tag", "client"],
        ])
        .headers.getText("x-asm-prefer-tag");
      const want = length === 0 ? "client" : fnv1a32(value) % 100 < 20 ? "s2" : "s1";
      if (tag !== want) assert.fail(`value #${i} (${length} bytes): got ${tag}, want ${want}`);
      if (i === warmUp) memoryAfterWarmUp = plugin.memoryBytes;
    }
    console.log(
      `header fuzz: ${HEADER_VALUES} values up to ${largest} bytes; memory ${memoryAfterWarmUp} bytes after ${warmUp}, ${plugin.memoryBytes} at the end`,
    );
    assert.equal(plugin.memoryBytes, memoryAfterWarmUp, "linear memory kept growing after warm-up");
  });

  it(`gives ${REQUESTS} random requests the headers an independent model of every field predicts`, async () => {
    const random = new Random(SEED + 2);
    const plugin = await loadPlugin();
    assert.equal(plugin.configure(JSON.stringify(EXTENDED_CONFIG)).accepted, true);
    const ids = [
      "jason",
      "qa-team",
      "Jason",
      "jason ",
      "qa",
      "josé p",
      "a+b",
      "x&y=z",
      "100%",
      "日本",
      ...Array.from({ length: 40 }, (_, i) => `user-${i}`),
    ];
    const encode = (id: string) => {
      const encoded = encodeURIComponent(id);
      return random.chance(0.5) ? encoded.replace(/%20/g, "+") : encoded;
    };
    const maybe = (probability: number, header: [string, string]): Headers => (random.chance(probability) ? [header] : []);
    const tagHeaders = [...new Set(EXTENDED_CONFIG.rules.map((r) => r.tagHeader))];
    for (let i = 0; i < REQUESTS; i++) {
      const id = random.pick(ids);
      const params = [
        ...(random.chance(0.3) ? [`xuid=${encode(random.pick(ids))}`] : []),
        ...(random.chance(0.7) ? [`${random.chance(0.1) ? "u%69d" : "uid"}=${random.chance(0.1) ? "" : encode(id)}`] : []),
        ...(random.chance(0.3) ? ["a=1", "uid=second"] : []),
      ];
      const path = `${random.pick(["/api/", "/api/cart", "/checkout", "/", "/apix", "/API/", "/checkoutx/y"])}${params.length ? `?${params.join("&")}` : ""}${random.chance(0.05) ? "#uid=frag" : ""}`;
      const cookies = [
        ...(random.chance(0.3) ? [`xuid=${random.pick(ids).replace(/[^ -~]|;/g, "_")}`] : []),
        ...(random.chance(0.6)
          ? [
              `${random.pick(["uid", "uid ", " uid", "UID"])}=${random.pick([" ", "", "\t"])}${id.replace(/[^ -~]|;/g, "_")}${random.pick(["", " "])}`,
            ]
          : []),
        ...(random.chance(0.3) ? ["theme=dark"] : []),
      ];
      const request: Headers = [
        ...maybe(0.9, [
          ":authority",
          random.pick([
            "shop.example.com",
            "SHOP.Example.com:8443",
            "a.example.org",
            "a.b.EXAMPLE.org:1",
            "example.org",
            "shop.example.com.evil",
            "[::1]:80",
            "shop.example.com.",
            "shop.example.com.:80",
            "[0:0::1]",
            "[::1]x",
            "127.0.0.01",
            "127.0.0.1",
            "shop.example.com:8x",
            "a/b.example.org",
            "",
          ]),
        ]),
        ...maybe(0.9, [":path", path]),
        ...maybe(0.8, ["x-user-id", random.chance(0.05) ? "" : id.replace(/[^ -~]/g, "?")]),
        ...maybe(0.7, ["cookie", cookies.join(random.pick(["; ", ";", " ; "]))]),
        ...maybe(0.3, ["x-asm-prefer-tag", "client"]),
        ...maybe(0.3, ["x-cookie-lane", "client"]),
      ];
      const got = plugin.request(request).headers;
      const want = expectedHeaders(EXTENDED_CONFIG, request);
      for (const name of tagHeaders) {
        const wanted = want.filter(([n]) => n === name).map(([, v]) => v);
        if (JSON.stringify(got.getAll(name)) !== JSON.stringify(wanted)) {
          assert.fail(
            `request #${i} ${JSON.stringify(request)}: ${name} is ${JSON.stringify(got.getAll(name))}, the model says ${JSON.stringify(wanted)}`,
          );
        }
      }
    }
    console.log(
      `request fuzz: ${REQUESTS} requests against ${EXTENDED_CONFIG.rules.length} rules using every field; counters ${JSON.stringify(Object.fromEntries(plugin.counters))}`,
    );
  });
});
