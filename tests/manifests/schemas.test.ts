// Each flavour against its own schema: upstream files against Istio's (strict about unknown fields, as
// the API server is), the ASM VirtualService against Istio's plus ASM's `fallback` extension.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadManifests } from "../support/manifests.ts";
import { isIstioKind, istioSchemaProblems } from "./support/istio-schema.ts";
import { withoutAsmExtensions } from "./support/asm-extensions.ts";

const manifests = loadManifests();
const istio = manifests.filter((m) => isIstioKind(m.doc));

test("every Istio resource is of a kind we hold a schema for", () => {
  const others = manifests.filter((m) => !isIstioKind(m.doc) && !["Service", "Deployment"].includes(m.doc.kind));
  assert.deepEqual(others.map((m) => m.where), []);
  assert.ok(istio.length >= 9, `only ${istio.length} Istio resources found`);
});

for (const m of istio.filter((x) => x.flavour !== "asm")) {
  test(`upstream Istio schema: ${m.where}`, () => {
    assert.deepEqual(istioSchemaProblems(m.doc), []);
  });
}

for (const m of istio.filter((x) => x.flavour === "asm")) {
  test(`ASM flavour: ${m.where} fails upstream only on ASM's fallback, and passes once that is removed`, () => {
    const { upstream, problems, removed } = withoutAsmExtensions(m.doc);
    assert.deepEqual(problems, [], "ASM fallback fields malformed");
    assert.deepEqual(
      istioSchemaProblems(m.doc),
      removed.map((path) => `${path}: unknown field`),
      "against upstream's schema, the only problems must be the ASM extension fields",
    );
    assert.deepEqual(istioSchemaProblems(upstream), []);
  });
}

test("the schema check is not vacuous: a misspelt field and a wrong type are caught", () => {
  const vs = structuredClone(istio.find((m) => m.doc.kind === "VirtualService" && m.flavour === "upstream")!.doc);
  vs.spec.http[0].route[0].destination.subsett = "v2";
  vs.spec.http[0].route[0].weight = "heavy";
  const problems = istioSchemaProblems(vs);
  assert.ok(problems.some((p) => p === "spec.http[0].route[0].destination.subsett: unknown field"), problems.join("\n"));
  assert.ok(problems.some((p) => /weight/.test(p) && /must be integer/.test(p)), problems.join("\n"));
});

test("ASM's fallback must name a target host", () => {
  const vs = structuredClone(istio.find((m) => m.flavour === "asm")!.doc);
  vs.spec.http[0].route[0].fallback = { target: { subset: "s1" }, when: "always" };
  assert.deepEqual(withoutAsmExtensions(vs).problems, [
    "spec.http[0].route[0].fallback.target.host: required string",
    "spec.http[0].route[0].fallback.when: unknown field",
  ]);
});
