// The README's configuration section against the compiled filter: its example is accepted, its
// tables name exactly the fields the filter takes, and its error example is what the filter logs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { parse } from "yaml";
import { loadPlugin } from "../../src/host/index.ts";
import { CONFIG_FIELDS } from "../support/config-oracle.ts";

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

it("the README's pluginConfig example is accepted", async () => {
  const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(configuration);
  assert.ok(yamlBlock, "no yaml example in the configuration section");
  const plugin = await loadPlugin();
  const { accepted, logs } = plugin.configure(JSON.stringify(parse(yamlBlock[1]).pluginConfig));
  assert.equal(accepted, true, JSON.stringify(logs));
});

it("the README's config tables name exactly the fields the filter accepts", () => {
  assert.deepEqual(tableNames("## Configuration"), CONFIG_FIELDS.top);
  assert.deepEqual(tableNames("A rule:"), CONFIG_FIELDS.rule);
  assert.deepEqual(tableNames("A policy:"), CONFIG_FIELDS.policy);
  assert.deepEqual(tableNames("`debug`:"), CONFIG_FIELDS.debug);
});

it("every field in the README's tables is accepted by the filter", async () => {
  const plugin = await loadPlugin();
  const config = {
    rules: [{ name: "canary", header: "x-user-id", modulo: 100, tagHeader: "x-asm-prefer-tag", policies: [{ range: 100, tagValue: "s1" }] }],
    debug: { enabled: false },
  };
  assert.deepEqual(Object.keys(config), CONFIG_FIELDS.top);
  assert.deepEqual(Object.keys(config.debug), CONFIG_FIELDS.debug);
  assert.deepEqual(Object.keys(config.rules[0]), CONFIG_FIELDS.rule);
  assert.deepEqual(Object.keys(config.rules[0].policies[0]), CONFIG_FIELDS.policy);
  const { accepted, logs } = plugin.configure(JSON.stringify(config));
  assert.equal(accepted, true, JSON.stringify(logs));
});

it("the README's error example is what the filter logs", async () => {
  const example = /```\n((?:wasm log hash-tagging: .*\n)+)```/.exec(configuration);
  assert.ok(example, "no error example in the configuration section");
  const documented = example[1].trimEnd().split("\n").map((l) => l.replace("wasm log hash-tagging: ", ""));
  const plugin = await loadPlugin();
  const bad = { rules: [{ header: "x-user-id", modulo: "100", tagHeader: "x-asm-prefer-tag", policies: [{ range: 50, tagValue: "s2" }, { range: 20, tagValue: "s1" }] }] };
  const { accepted, logs } = plugin.configure(JSON.stringify(bad));
  assert.equal(accepted, false);
  assert.deepEqual(logs.map((l) => l.message), documented);
});
