// The compiled filter's configuration handling, driven through the proxy-wasm ABI.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadPlugin } from "../../scripts/lib/host/index.ts";
import { REFERENCE_CONFIG, referenceConfigWithCanary } from "../support/configs.ts";
import { referenceTag } from "../support/fnv1a.ts";

const errorsOf = (logs: { level: string; message: string }[]) => logs.filter((l) => l.level === "error").map((l) => l.message);

describe("configuration through the ABI", () => {
  it("accepts the reference pluginConfig as Istio sends it (JSON text)", async () => {
    const plugin = await loadPlugin();
    const { accepted, logs } = plugin.configure(JSON.stringify(REFERENCE_CONFIG));
    assert.equal(accepted, true, `refused: ${JSON.stringify(logs)}`);
    assert.deepEqual(errorsOf(logs), []);
    assert.ok(logs.some((l) => l.level === "info" && l.message === "configuration accepted: 1 rule(s)"));
  });

  it("refuses with one error line per problem, each naming its JSON path", async () => {
    const plugin = await loadPlugin();
    const bad = {
      rules: [
        { header: "x user", modulo: 0, tagHeader: "x-asm-prefer-tag", policies: [{ range: 5, tagValue: "s2" }] },
        {
          header: "x-user-id",
          modulo: 100,
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
    assert.deepEqual(errorsOf(logs), [
      'rules[0].header: expected an HTTP header name (letters, digits, !#$%&\'*+-.^_`|~; no pseudo-headers), got the string "x user"',
      "rules[0].modulo: expected an integer from 1 to 4294967295, got the number 0",
      "rules[1].policies[1].range: expected at least the previous range 50 (ranges never decrease), got the number 20",
    ]);
    assert.ok(logs.some((l) => l.level === "warn" && l.message.includes("configuration refused (3 error(s) above)")));
  });

  it("refuses an empty configuration (Istio sends one when pluginConfig is absent) without trapping", async () => {
    const plugin = await loadPlugin();
    const { accepted, logs } = plugin.configure("");
    assert.equal(accepted, false);
    assert.deepEqual(errorsOf(logs), ['configuration: is empty: expected a JSON object with a non-empty "rules" array']);
    assert.equal(plugin.hasTrapped, false);
  });

  it("refuses the shapes that make json-as typed parsing abort, without trapping", async () => {
    const plugin = await loadPlugin();
    const cases: Array<[string, string]> = [
      ['{"rules":[{"header":null}]}', "rules[0].header: expected a string, got null"],
      ['{"rules":[{"header":{}}]}', "rules[0].header: expected a string, got an object"],
      ["[]", "configuration: expected an object, got an array"],
      ['"text"', 'configuration: expected an object, got the string "text"'],
      ['{"rules":["x"]}', 'rules[0]: expected an object, got the string "x"'],
      ['{"rules":5}', "rules: expected an array, got the number 5"],
      ['{"rules":[{"modulo":"100"}]}', 'rules[0].modulo: expected an integer from 1 to 4294967295, got the string "100"'],
      ['{"rules":[{"modulo":1.5}]}', "rules[0].modulo: expected an integer from 1 to 4294967295, got the number 1.5"],
      ['{"rules":[', "configuration: invalid JSON at character 10: expected a JSON value, found end of text"],
    ];
    for (const [text, expected] of cases) {
      const { accepted, logs } = plugin.configure(text);
      assert.equal(accepted, false, text);
      assert.ok(errorsOf(logs).includes(expected), `${text}: got ${JSON.stringify(errorsOf(logs))}, want it to include ${expected}`);
    }
    assert.equal(plugin.hasTrapped, false);
  });

  it("refuses configuration bytes that are not UTF-8, naming the byte", async () => {
    const plugin = await loadPlugin();
    const bytes = Buffer.concat([Buffer.from(JSON.stringify(REFERENCE_CONFIG)), Buffer.from([0xe2])]);
    const { accepted, logs } = plugin.configure(bytes);
    assert.equal(accepted, false);
    assert.deepEqual(errorsOf(logs), [`configuration: invalid UTF-8 at byte ${bytes.length - 1}: expected UTF-8 JSON text`]);
  });

  it("keeps serving the previous configuration when an update is refused", async () => {
    const plugin = await loadPlugin();
    assert.equal(plugin.configure(JSON.stringify(REFERENCE_CONFIG)).accepted, true);
    assert.equal(plugin.configure('{"rules":[]}').accepted, false);
    const user = "user-with-a-tag";
    assert.equal(plugin.request([["x-user-id", user]]).headers.getText("x-asm-prefer-tag"), referenceTag(user));
  });

  it("applies an accepted update to the next request (ramp 20 -> 50)", async () => {
    const plugin = await loadPlugin();
    plugin.configure(JSON.stringify(REFERENCE_CONFIG));
    const mover = Array.from({ length: 200 }, (_, i) => `ramp-${i}`).find(
      (u) => referenceTag(u, 20) === "s1" && referenceTag(u, 50) === "s2",
    )!;
    assert.equal(plugin.request([["x-user-id", mover]]).headers.getText("x-asm-prefer-tag"), "s1");
    assert.equal(plugin.configure(JSON.stringify(referenceConfigWithCanary(50))).accepted, true);
    assert.equal(plugin.request([["x-user-id", mover]]).headers.getText("x-asm-prefer-tag"), "s2");
  });
});
