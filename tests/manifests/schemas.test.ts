// Each rendered overlay against its own schema: upstream's resources against Istio's (strict about unknown
// fields, as the API server is), the ASM VirtualService against Istio's plus ASM's `fallback` extension.

import assert from "node:assert/strict";
import { test } from "node:test";
import { rendered, renderSkip } from "../support/manifests.ts";
import { withoutAsmExtensions } from "./support/asm-extensions.ts";
import { isIstioKind, istioSchemaProblems } from "./support/istio-schema.ts";

const skip = renderSkip("manifests");
const manifests = skip ? [] : [...rendered("upstream"), ...rendered("asm")];
const istio = manifests.filter((m) => isIstioKind(m.doc));
/** The ASM overlay's resources that use ASM's extension fields; everything else is plain upstream Istio. */
const usesAsm = (doc: Record<string, any>) => withoutAsmExtensions(doc).removed.length > 0;

test("every Istio resource is of a kind we hold a schema for", { skip }, () => {
  const others = manifests.filter((m) => !isIstioKind(m.doc) && !["Service", "Deployment"].includes(m.doc.kind));
  assert.deepEqual(
    others.map((m) => m.where),
    [],
  );
  assert.ok(istio.length >= 13, `only ${istio.length} Istio resources rendered`);
  assert.deepEqual(
    istio.filter((m) => usesAsm(m.doc)).map((m) => m.where.replace(/#\d+/, "")),
    ["deploy/istio/asm (rendered) (VirtualService swimlane-ingress-vs)"],
  );
});

for (const m of istio.filter((x) => !usesAsm(x.doc))) {
  test(`upstream Istio schema: ${m.where}`, () => {
    assert.deepEqual(istioSchemaProblems(m.doc), []);
  });
}

for (const m of istio.filter((x) => usesAsm(x.doc))) {
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

test("the schema check is not vacuous: a misspelt field and a wrong type are caught", { skip }, () => {
  const vs = structuredClone(istio.find((m) => m.doc.kind === "VirtualService" && !usesAsm(m.doc))!.doc);
  vs.spec.http[0].route[0].destination.subsett = "v2";
  vs.spec.http[0].route[0].weight = "heavy";
  const problems = istioSchemaProblems(vs);
  assert.ok(
    problems.some((p) => p === "spec.http[0].route[0].destination.subsett: unknown field"),
    problems.join("\n"),
  );
  assert.ok(
    problems.some((p) => /weight/.test(p) && /must be integer/.test(p)),
    problems.join("\n"),
  );
});

test("ASM's fallback must name a target host", { skip }, () => {
  const vs = structuredClone(istio.find((m) => usesAsm(m.doc))!.doc);
  vs.spec.http[0].route[0].fallback = { target: { subset: "s1" }, when: "always" };
  assert.deepEqual(withoutAsmExtensions(vs).problems, [
    "spec.http[0].route[0].fallback.target.host: required string",
    "spec.http[0].route[0].fallback.when: unknown field",
  ]);
});
