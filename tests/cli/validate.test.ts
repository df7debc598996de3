// `hash-tagging validate` (and its alias `npm run check-config`): pluginConfigs in files, judged by the
// compiled filter before they reach a gateway.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { it } from "node:test";
import { checkConfigFiles } from "../../scripts/cli/validate.ts";
import { PLUGIN_WASM } from "../../scripts/lib/paths.ts";
import { assertOneLineError, runCli, SHIPPED, scratch } from "./run-cli.ts";

const WASM = PLUGIN_WASM;
const { dir, file } = scratch("validate");

const WASMPLUGIN = (pluginConfig: string) => `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: {name: hash-tagging, namespace: istio-system}
spec:
  url: oci://registry.example.com/hash-tagging:0.1.0
${pluginConfig}`;

it("accepts the shipped WasmPlugin, and judges every WasmPlugin of a multi-document file", async () => {
  const twoPlugins = file(
    "two.yaml",
    `${WASMPLUGIN("  pluginConfig: {rules: [{header: x-user-id, modulo: 100, tagHeader: x-tag, policies: [{range: 100, tagValue: a}]}]}")}
---
${WASMPLUGIN("  pluginConfig: {rules: [{header: x-user-id, modulo: 100, tagHeader: x-tag, policies: [{range: 200, tagValue: a}]}]}").replace("name: hash-tagging", "name: second")}
`,
  );
  const [shipped, two] = await checkConfigFiles([SHIPPED, twoPlugins], WASM);
  assert.deepEqual(shipped.verdicts, [
    { subject: "WasmPlugin istio-system/hash-tagging", accepted: true, lines: ["configuration accepted: 1 rule(s)"] },
  ]);
  assert.deepEqual(
    two.verdicts.map((v) => [v.subject, v.accepted]),
    [
      ["WasmPlugin istio-system/hash-tagging", true],
      ["WasmPlugin istio-system/second", false],
    ],
  );
  assert.deepEqual(two.verdicts[1].lines, ["rules[0].policies[0].range: expected an integer from 0 to 100, got the number 200"]);
});

it("refuses a WasmPlugin without pluginConfig, as the filter in Envoy would", async () => {
  const [report] = await checkConfigFiles([file("empty.yaml", WASMPLUGIN(""))], WASM);
  assert.equal(report.verdicts[0].accepted, false);
  assert.deepEqual(report.verdicts[0].lines, ['configuration: is empty: expected a JSON object with a non-empty "rules" array']);
});

it("checks a bare pluginConfig in JSON, and says why a file cannot be checked", async () => {
  const json = file(
    "config.json",
    '{"rules":[{"header":"x-user-id","modulo":10,"tagHeader":"x-tag","policies":[{"range":10,"tagValue":"a"}]}]}',
  );
  const reports = await checkConfigFiles(
    [json, join(dir, "missing.yaml"), file("broken.yaml", "rules: [\n"), file("other.yaml", "kind: Service\n")],
    WASM,
  );
  assert.equal(reports[0].verdicts[0].accepted, true);
  assert.match(reports[1].problem ?? "", /^cannot read: ENOENT/);
  assert.match(reports[2].problem ?? "", /^not YAML or JSON: /);
  assert.equal(reports[3].problem, 'holds no WasmPlugin and no pluginConfig (an object with "rules")');
});

it("exits 0 when every config is accepted, 1 when one is refused or a file cannot be checked, 2 without files", () => {
  const accepted = runCli(["validate", SHIPPED]);
  assert.equal(accepted.status, 0);
  assert.equal(accepted.stdout, `${SHIPPED}: WasmPlugin istio-system/hash-tagging: accepted\n  configuration accepted: 1 rule(s)\n`);
  const refused = runCli(["validate", SHIPPED, file("bad.yaml", "rules: []\n")]);
  assert.equal(refused.status, 1);
  assert.match(refused.stdout, /bad\.yaml: pluginConfig: refused\n {2}rules: expected at least one rule, got an empty array/);
  const missing = runCli(["validate", join(dir, "missing.yaml")]);
  assert.equal(missing.status, 1);
  assert.match(missing.stdout, /missing\.yaml: cannot read: ENOENT/);
  assertOneLineError(runCli(["validate"]), 2, /missing required argument 'file'/);
});

it("prints JSON with --json", () => {
  const result = runCli([
    "validate",
    "--json",
    SHIPPED,
    file("bad-range.json", '{"rules":[{"header":"x-user-id","modulo":10,"tagHeader":"x-tag","policies":[{"range":11,"tagValue":"a"}]}]}'),
  ]);
  assert.equal(result.status, 1);
  const reports = JSON.parse(result.stdout);
  assert.deepEqual(
    reports.map((r: { verdicts: Array<{ accepted: boolean }> }) => r.verdicts.map((v) => v.accepted)),
    [[true], [false]],
  );
});

it("keeps npm run check-config as an alias of validate", () => {
  const result = spawnSync("npm", ["run", "--silent", "check-config", "--", SHIPPED, file("alias-bad.yaml", "rules: []\n")], {
    encoding: "utf8",
  });
  assert.equal(result.status, 1);
  assert.match(result.stdout, new RegExp(`^${SHIPPED}: WasmPlugin istio-system/hash-tagging: accepted\n`));
  assert.match(result.stdout, /alias-bad\.yaml: pluginConfig: refused/);
});

it("refuses every tag header that would change how a request is framed, routed or timed, one line each with its path", async () => {
  const reserved = [
    "content-length",
    "transfer-encoding",
    "host",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "cookie",
    "x-envoy-upstream-rq-timeout-ms",
  ];
  const rules = reserved.map(
    (tagHeader, i) => `{name: r${i}, header: x-user-id, modulo: 100, tagHeader: ${tagHeader}, policies: [{range: 100, tagValue: a}]}`,
  );
  const [report] = await checkConfigFiles([file("reserved.yaml", WASMPLUGIN(`  pluginConfig: {rules: [${rules.join(", ")}]}`))], WASM);
  assert.equal(report.verdicts[0].accepted, false);
  const lines = report.verdicts[0].lines;
  assert.equal(lines.length, reserved.length, lines.join("\n"));
  reserved.forEach((name, i) =>
    assert.match(
      lines[i],
      new RegExp(
        `^rules\\[${i}\\]\\.tagHeader: "${name}" (is a message framing header|is a hop-by-hop header|is the request's host|carries the user's cookies|is one of Envoy's x-envoy-\\* control headers)`,
      ),
    ),
  );
  console.log(lines.join("\n"));
});
