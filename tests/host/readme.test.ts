// The README's configuration section against the compiled filter: its example is accepted, its
// tables name exactly the fields the filter takes, and its error example is what the filter logs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { parse } from "yaml";
import { loadPlugin } from "../../scripts/lib/host/index.ts";
import { CONFIG_FIELDS, CONFIG_LIMITS } from "../support/config-oracle.ts";
import { EXTENDED_CONFIG, PASS_THROUGH_CONFIGS } from "../support/configs.ts";
import { fmix32, fnv1a32OfText, ruleHash } from "../support/fnv1a.ts";

const readme = readFileSync("README.md", "utf8");
const configuration = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Try it locally"));

/** The first column of the first table after `marker`, backticks removed. */
function tableNames(marker: string): string[] {
  const start = configuration.indexOf(marker);
  assert.ok(start >= 0, `README's configuration section has no "${marker}"`);
  const lines = configuration.slice(start).split("\n");
  const first = lines.findIndex((l) => l.startsWith("| Name"));
  const rows = lines.slice(first + 2);
  return rows.slice(0, rows.findIndex((l) => !l.startsWith("|"))).map((l) => l.split("|")[1].trim().replace(/`/g, ""));
}

/** The rows of the first table after `marker`, cells trimmed, backticks removed. */
function tableRows(marker: string): string[][] {
  const start = configuration.indexOf(marker);
  assert.ok(start >= 0, `README's configuration section has no "${marker}"`);
  const lines = configuration.slice(start).split("\n");
  const rows = lines.slice(lines.findIndex((l) => l.startsWith("|")) + 2);
  return rows.slice(0, rows.findIndex((l) => !l.startsWith("|"))).map((l) => l.split("|").slice(1, -1).map((c) => c.trim().replace(/`/g, "")));
}

it("the README's pluginConfig examples are accepted", async () => {
  const yamlBlocks = [...configuration.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]));
  assert.equal(yamlBlocks.length, 3, "the configuration section should have the reference example, the extensions example and the pass-through example");
  const plugin = await loadPlugin();
  for (const config of [yamlBlocks[0].pluginConfig, yamlBlocks[1], yamlBlocks[2]]) {
    const { accepted, logs } = plugin.configure(JSON.stringify(config));
    assert.equal(accepted, true, JSON.stringify(logs));
  }
});

it("the README's limits table states the limits the filter holds (tests/host/limits.test.ts)", () => {
  const limits = Object.fromEntries(tableRows("### Limits").map(([what, limit]) => [what, Number.parseInt(limit, 10)]));
  assert.deepEqual(limits, {
    "the configuration's JSON text": CONFIG_LIMITS.configBytes,
    rules: CONFIG_LIMITS.rules,
    "policies or partitionedPolicies per rule": CONFIG_LIMITS.policies,
    "overrides per rule": CONFIG_LIMITS.overrides,
    "hosts or pathPrefixes per rule": CONFIG_LIMITS.matchEntries,
    "a name: rule name, header, tagHeader, cookie, query, seed, host": CONFIG_LIMITS.nameBytes,
    "a value: tag value, defaultTagValue, override key or value, path prefix": CONFIG_LIMITS.valueBytes,
    "error lines logged for one configuration": CONFIG_LIMITS.errorLines,
  });
});

it("the README's hash test vectors agree with the independent TypeScript FNV-1a and fmix32", () => {
  const rows = tableRows("### Hash test vectors");
  assert.ok(rows.length >= 6);
  for (const [keyCell, seed, plain, mixed] of rows) {
    const key = keyCell === " (empty)" || keyCell === "(empty)" ? "" : keyCell;
    const options = seed === "" ? {} : { seed };
    assert.equal(Number(plain), ruleHash(key, options), `fnv1a32 of ${JSON.stringify(key)} seed ${seed}`);
    assert.equal(Number(mixed), ruleHash(key, { ...options, hash: "fnv1a32-fmix32" }), `fnv1a32-fmix32 of ${JSON.stringify(key)} seed ${seed}`);
    assert.equal(Number(mixed), fmix32(fnv1a32OfText(seed === "" ? key : `${seed}:${key}`)));
  }
});

it("the README's config tables name exactly the fields the filter accepts, each marked reference or extension", () => {
  const tables: Array<[string, string[]]> = [
    ["## Configuration", CONFIG_FIELDS.top],
    ["A rule:", CONFIG_FIELDS.rule],
    ["A policy:", CONFIG_FIELDS.policy],
    ["A partitioned policy:", CONFIG_FIELDS.partitionedPolicy],
    ["`match`:", CONFIG_FIELDS.match],
    ["`debug`:", CONFIG_FIELDS.debug],
    ["### Sidecar pass-through", CONFIG_FIELDS.passThrough],
  ];
  for (const [marker, fields] of tables) {
    assert.deepEqual(tableNames(marker), fields, marker);
    for (const [name, origin] of tableRows(marker)) assert.match(origin, /^(reference|reference \(our reading\)|extension)$/, `${marker} ${name}`);
  }
});

it("every field in the README's tables is accepted by the filter", async () => {
  const plugin = await loadPlugin();
  const config = structuredClone(EXTENDED_CONFIG) as unknown as { debug: object; rules: Array<Record<string, object[]>> };
  const [lanes, byCookie] = config.rules;
  // The pass-through block is its own example (PASS_THROUGH_CONFIG), checked below.
  assert.deepEqual([...Object.keys(config), "passThrough"].sort(), [...CONFIG_FIELDS.top].sort());
  assert.deepEqual(Object.keys(config.debug), CONFIG_FIELDS.debug);
  assert.deepEqual([...new Set(config.rules.flatMap((rule) => Object.keys(rule)))].sort(), [...CONFIG_FIELDS.rule].sort());
  assert.deepEqual(Object.keys(lanes.partitionedPolicies[0]), CONFIG_FIELDS.partitionedPolicy);
  assert.deepEqual(Object.keys(byCookie.policies[0]), CONFIG_FIELDS.policy);
  assert.deepEqual(Object.keys(lanes.match), CONFIG_FIELDS.match);
  const { accepted, logs } = plugin.configure(JSON.stringify(config));
  assert.equal(accepted, true, JSON.stringify(logs));
  const fields = new Set(PASS_THROUGH_CONFIGS.flatMap((c) => Object.keys(c.passThrough)));
  assert.deepEqual([...fields].sort(), [...CONFIG_FIELDS.passThrough].sort());
  for (const passThroughConfig of PASS_THROUGH_CONFIGS) {
    const result = plugin.configure(JSON.stringify(passThroughConfig));
    assert.equal(result.accepted, true, JSON.stringify(result.logs));
  }
});

it("the README's error example is what the filter logs", async () => {
  const example = /```\n((?:wasm log hash-tagging: .*\n)+)```/.exec(configuration);
  assert.ok(example, "no error example in the configuration section");
  const documented = example[1].trimEnd().split("\n").map((l) => l.replace("wasm log hash-tagging: ", ""));
  const plugin = await loadPlugin();
  const bad = { rules: [{ header: "x-user-id", modulo: "100", tagHeader: "x-asm-prefer-tag", policies: [{ range: 50, tagValue: "s2" }, { range: 20, tagValue: "s1" }] }] };
  const { accepted, logs } = plugin.configure(JSON.stringify(bad));
  assert.equal(accepted, false);
  // Envoy's default log level (info) leaves out the filter's debug line.
  assert.deepEqual(logs.filter((l) => l.level !== "debug").map((l) => l.message), documented);
});
