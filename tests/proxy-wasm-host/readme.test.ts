// The README's configuration against the compiled filter: its examples are accepted, its tables name
// exactly the fields the filter takes, its limits are the filter's, and its error example is what the
// filter logs. The hash vectors, beside the hash in assembly/README.md, against the independent FNV-1a.
import assert from "node:assert/strict";
import { it } from "node:test";
import { parse } from "yaml";
import { loadPlugin } from "../../scripts/lib/host/index.ts";
import { CONFIG_FIELDS, CONFIG_LIMITS } from "../support/config-oracle.ts";
import { EXTENDED_CONFIG, PASS_THROUGH_CONFIGS } from "../support/configs.ts";
import { fmix32, fnv1a32OfText, ruleHash } from "../support/fnv1a.ts";
import { codeBlocks, readme, section, tableRows } from "../support/readme.ts";

const configuration = section(readme(), "## Configuration");
const lanes = section(readme(), "## Lanes across the call chain");

/** The first column of the first table after `marker`. */
const tableNames = (text: string, marker: string) => tableRows(text, marker).map(([name]) => name);

/** The "Inside a rule" table's fields of one level: `policies[].range` is `range` of a policy. */
function nestedNames(prefix: string): string[] {
  return tableNames(configuration, "Inside a rule")
    .filter((name) => name.startsWith(prefix))
    .map((name) => name.slice(prefix.length));
}

it("the README's pluginConfig examples are accepted", async () => {
  const examples = [...codeBlocks(configuration, "yaml"), ...codeBlocks(lanes, "yaml")].map((block) => parse(block));
  assert.equal(examples.length, 2, "the configuration section's reference example and the lanes section's passThrough");
  const plugin = await loadPlugin();
  for (const config of [examples[0].pluginConfig, examples[1]]) {
    const { accepted, logs } = plugin.configure(JSON.stringify(config));
    assert.equal(accepted, true, JSON.stringify(logs));
  }
});

it("the README's limits table states the limits the filter holds (tests/proxy-wasm-host/limits.test.ts)", () => {
  const limits = Object.fromEntries(tableRows(configuration, "### Limits").map(([what, limit]) => [what, Number.parseInt(limit, 10)]));
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

it("assembly/README.md's hash test vectors agree with the independent TypeScript FNV-1a and fmix32", () => {
  const rows = tableRows(section(readme("assembly/README.md"), "## Hash test vectors", "assembly/README.md"), "| key");
  assert.ok(rows.length >= 6);
  for (const [keyCell, seed, plain, mixed] of rows) {
    const key = keyCell === " (empty)" || keyCell === "(empty)" ? "" : keyCell;
    const options = seed === "" ? {} : { seed };
    assert.equal(Number(plain), ruleHash(key, options), `fnv1a32 of ${JSON.stringify(key)} seed ${seed}`);
    assert.equal(
      Number(mixed),
      ruleHash(key, { ...options, hash: "fnv1a32-fmix32" }),
      `fnv1a32-fmix32 of ${JSON.stringify(key)} seed ${seed}`,
    );
    assert.equal(Number(mixed), fmix32(fnv1a32OfText(seed === "" ? key : `${seed}:${key}`)));
  }
});

it("the README's config tables name exactly the fields the filter accepts, each marked reference or extension", () => {
  const tables: Array<[string, string[], string[]]> = [
    ["top level", tableNames(configuration, "| Name"), CONFIG_FIELDS.top],
    ["A rule:", tableNames(configuration, "A rule:"), CONFIG_FIELDS.rule],
    ["policies[]", nestedNames("policies[]."), CONFIG_FIELDS.policy],
    ["partitionedPolicies[]", nestedNames("partitionedPolicies[]."), CONFIG_FIELDS.partitionedPolicy],
    ["match", nestedNames("match."), CONFIG_FIELDS.match],
    ["debug", nestedNames("debug."), CONFIG_FIELDS.debug],
    ["passThrough", tableNames(lanes, "| Name"), CONFIG_FIELDS.passThrough],
  ];
  for (const [what, names, fields] of tables) assert.deepEqual(names, fields, what);
  const nested = tableRows(configuration, "Inside a rule");
  assert.equal(
    nested.length,
    CONFIG_FIELDS.policy.length + CONFIG_FIELDS.partitionedPolicy.length + CONFIG_FIELDS.match.length + CONFIG_FIELDS.debug.length,
    "the nested table has no other rows",
  );
  for (const [text, marker] of [
    [configuration, "| Name"],
    [configuration, "A rule:"],
    [configuration, "Inside a rule"],
    [lanes, "| Name"],
  ] as const) {
    for (const [name, origin] of tableRows(text, marker))
      assert.match(origin, /^(reference|reference \(our reading\)|extension)$/, `${marker} ${name}`);
  }
});

it("every field in the README's tables is accepted by the filter", async () => {
  const plugin = await loadPlugin();
  const config = structuredClone(EXTENDED_CONFIG) as unknown as { debug: object; rules: Array<Record<string, object[]>> };
  const [lanesRule, byCookie] = config.rules;
  // The pass-through block is its own example (PASS_THROUGH_CONFIGS), checked below.
  assert.deepEqual([...Object.keys(config), "passThrough"].sort(), [...CONFIG_FIELDS.top].sort());
  assert.deepEqual(Object.keys(config.debug), CONFIG_FIELDS.debug);
  assert.deepEqual([...new Set(config.rules.flatMap((rule) => Object.keys(rule)))].sort(), [...CONFIG_FIELDS.rule].sort());
  assert.deepEqual(Object.keys(lanesRule.partitionedPolicies[0]), CONFIG_FIELDS.partitionedPolicy);
  assert.deepEqual(Object.keys(byCookie.policies[0]), CONFIG_FIELDS.policy);
  assert.deepEqual(Object.keys(lanesRule.match), CONFIG_FIELDS.match);
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
  const documented = example[1]
    .trimEnd()
    .split("\n")
    .map((l) => l.replace("wasm log hash-tagging: ", ""));
  const plugin = await loadPlugin();
  const bad = {
    rules: [
      {
        header: "x-user-id",
        modulo: "100",
        tagHeader: "x-asm-prefer-tag",
        policies: [
          { range: 50, tagValue: "s2" },
          { range: 20, tagValue: "s1" },
        ],
      },
    ],
  };
  const { accepted, logs } = plugin.configure(JSON.stringify(bad));
  assert.equal(accepted, false);
  // Envoy's default log level (info) leaves out the filter's debug line.
  assert.deepEqual(
    logs.filter((l) => l.level !== "debug").map((l) => l.message),
    documented,
  );
});
