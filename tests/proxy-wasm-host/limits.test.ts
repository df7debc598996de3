// The documented limits (README, "Limits"), through the ABI: a config at each limit is accepted, one
// past it is refused with the field's path; and the largest configs fit within the 1 MiB limit.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadPlugin } from "../../scripts/lib/host/index.ts";
import { CONFIG_LIMITS } from "../support/config-oracle.ts";
import { REFERENCE_CONFIG } from "../support/configs.ts";
import { LIMIT_CONFIGS } from "../support/limit-configs.ts";

type Rule = Record<string, unknown>;
const baseRule = (extra: Rule = {}): Rule => ({ ...REFERENCE_CONFIG.rules[0], ...extra });
const errorsOf = (logs: { level: string; message: string }[]) => logs.filter((l) => l.level === "error").map((l) => l.message);

async function verdict(config: unknown): Promise<{ accepted: boolean; errors: string[] }> {
  const plugin = await loadPlugin();
  const text = JSON.stringify(config);
  assert.ok(Buffer.byteLength(text) <= CONFIG_LIMITS.configBytes, `test config too large: ${Buffer.byteLength(text)} bytes`);
  const { accepted, logs } = plugin.configure(text);
  return { accepted, errors: errorsOf(logs) };
}

/** Accepted at `atLimit`, refused with exactly `error` past it. */
async function holdsLimit(atLimit: unknown, pastLimit: unknown, error: string): Promise<void> {
  const at = await verdict(atLimit);
  assert.deepEqual(at, { accepted: true, errors: [] });
  const past = await verdict(pastLimit);
  assert.deepEqual(past, { accepted: false, errors: [error] });
}

const rules = (n: number) => ({ rules: Array.from({ length: n }, (_, i) => baseRule({ name: `r${i}` })) });
const policies = (n: number) => ({
  rules: [baseRule({ modulo: 100000, policies: Array.from({ length: n }, (_, i) => ({ range: i, tagValue: "t" })) })],
});
const weights = (n: number) => ({
  rules: [
    baseRule({ policies: undefined, modulo: 100000, partitionedPolicies: Array.from({ length: n }, () => ({ weight: 1, tagValue: "t" })) }),
  ],
});
const overrides = (n: number) => ({
  rules: [baseRule({ overrides: Object.fromEntries(Array.from({ length: n }, (_, i) => [`u${i}`, "s2"])) })],
});
const hosts = (n: number) => ({ rules: [baseRule({ match: { hosts: Array.from({ length: n }, (_, i) => `h${i}.example.com`) } })] });
const prefixes = (n: number) => ({ rules: [baseRule({ match: { pathPrefixes: Array.from({ length: n }, (_, i) => `/p${i}`) } })] });
const tooLong = (bytes: number, limit: number) => `expected at most ${limit} bytes (UTF-8), got ${bytes}: "${"x".repeat(61)}"...`;
const x = (n: number) => "x".repeat(n);

describe("documented limits", () => {
  it(`${CONFIG_LIMITS.rules} rules`, () =>
    holdsLimit(
      rules(CONFIG_LIMITS.rules),
      rules(CONFIG_LIMITS.rules + 1),
      `rules: expected at most ${CONFIG_LIMITS.rules} items, got ${CONFIG_LIMITS.rules + 1}`,
    ));

  it(`${CONFIG_LIMITS.policies} policies or partitionedPolicies per rule`, async () => {
    await holdsLimit(
      policies(CONFIG_LIMITS.policies),
      policies(CONFIG_LIMITS.policies + 1),
      `rules[0].policies: expected at most ${CONFIG_LIMITS.policies} items, got ${CONFIG_LIMITS.policies + 1}`,
    );
    await holdsLimit(
      weights(CONFIG_LIMITS.policies),
      weights(CONFIG_LIMITS.policies + 1),
      `rules[0].partitionedPolicies: expected at most ${CONFIG_LIMITS.policies} items, got ${CONFIG_LIMITS.policies + 1}`,
    );
  });

  it(`${CONFIG_LIMITS.overrides} overrides per rule`, () =>
    holdsLimit(
      overrides(CONFIG_LIMITS.overrides),
      overrides(CONFIG_LIMITS.overrides + 1),
      `rules[0].overrides: expected at most ${CONFIG_LIMITS.overrides} entries, got ${CONFIG_LIMITS.overrides + 1}`,
    ));

  it(`${CONFIG_LIMITS.matchEntries} hosts or path prefixes per rule`, async () => {
    await holdsLimit(
      hosts(CONFIG_LIMITS.matchEntries),
      hosts(CONFIG_LIMITS.matchEntries + 1),
      `rules[0].match.hosts: expected at most ${CONFIG_LIMITS.matchEntries} items, got ${CONFIG_LIMITS.matchEntries + 1}`,
    );
    await holdsLimit(
      prefixes(CONFIG_LIMITS.matchEntries),
      prefixes(CONFIG_LIMITS.matchEntries + 1),
      `rules[0].match.pathPrefixes: expected at most ${CONFIG_LIMITS.matchEntries} items, got ${CONFIG_LIMITS.matchEntries + 1}`,
    );
  });

  it(`${CONFIG_LIMITS.nameBytes} bytes for names, header names, cookie and query names, seeds and hosts`, async () => {
    const n = CONFIG_LIMITS.nameBytes;
    const cases: Array<[(s: string) => Rule, string]> = [
      [(s) => baseRule({ name: s }), "rules[0].name"],
      [(s) => baseRule({ header: s }), "rules[0].header"],
      [(s) => baseRule({ tagHeader: s }), "rules[0].tagHeader"],
      [(s) => baseRule({ header: undefined, cookie: s }), "rules[0].cookie"],
      [(s) => baseRule({ header: undefined, query: s }), "rules[0].query"],
      [(s) => baseRule({ seed: s }), "rules[0].seed"],
      [(s) => baseRule({ match: { hosts: [s] } }), "rules[0].match.hosts[0]"],
    ];
    for (const [rule, path] of cases)
      await holdsLimit({ rules: [rule(x(n))] }, { rules: [rule(x(n + 1))] }, `${path}: ${tooLong(n + 1, n)}`);
  });

  it(`${CONFIG_LIMITS.valueBytes} bytes for tag values, override keys and path prefixes`, async () => {
    const n = CONFIG_LIMITS.valueBytes;
    const cases: Array<[(s: string) => Rule, string]> = [
      [(s) => baseRule({ policies: [{ range: 100, tagValue: s }] }), "rules[0].policies[0].tagValue"],
      [(s) => baseRule({ defaultTagValue: s }), "rules[0].defaultTagValue"],
      [(s) => baseRule({ overrides: { jason: s } }), "rules[0].overrides.jason"],
      [(s) => baseRule({ match: { pathPrefixes: [`/${s.slice(1)}`] } }), "rules[0].match.pathPrefixes[0]"],
    ];
    for (const [rule, path] of cases) {
      const error = `${path}: ${tooLong(n + 1, n)}`;
      await holdsLimit(
        { rules: [rule(x(n))] },
        { rules: [rule(x(n + 1))] },
        path.endsWith("pathPrefixes[0]") ? error.replace(`"${x(61)}"`, `"/${x(60)}"`) : error,
      );
    }
    const key = (s: string) => ({ rules: [baseRule({ overrides: { [s]: "s2" } })] });
    await holdsLimit(key(x(n)), key(x(n + 1)), `rules[0].overrides["${x(61)}..."]: ${tooLong(n + 1, n)}`);
  });

  it(`${CONFIG_LIMITS.configBytes} bytes for the whole configuration`, async () => {
    const padded = (total: number) => {
      const text = JSON.stringify({ rules: [baseRule({ name: "n" })] });
      return text.slice(0, -1) + `,"debug":{"enabled":false}${" ".repeat(total - text.length - 26)}}`;
    };
    const plugin = await loadPlugin();
    assert.equal(plugin.configure(padded(CONFIG_LIMITS.configBytes)).accepted, true);
    const { accepted, logs } = plugin.configure(padded(CONFIG_LIMITS.configBytes + 1));
    assert.equal(accepted, false);
    assert.deepEqual(errorsOf(logs), [
      `configuration: is ${CONFIG_LIMITS.configBytes + 1} bytes: expected at most ${CONFIG_LIMITS.configBytes}`,
    ]);
  });

  it("accepts the largest configurations scripts/bench/configure.ts times", async () => {
    for (const [name, config] of Object.entries(LIMIT_CONFIGS))
      assert.deepEqual(await verdict(config), { accepted: true, errors: [] }, name);
  });
});
