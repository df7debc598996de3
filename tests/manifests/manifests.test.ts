// deploy/istio/ holds the reference deployment's resources, in two flavours: kustomize overlays of one
// base, checked as `kubectl apply -k` would send them (rendered by the cached kubectl's kustomize).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { gatewayPluginConfig, REFERENCE_APP, SIDECAR_MODES } from "../../scripts/lib/envoy/topology.ts";
import { routeInMesh } from "../support/istio-routes.ts";
import { DEPLOY_DIR, find, LANE_GROUP_FILE, type Manifest, rendered, renderSkip } from "../support/manifests.ts";

const skip = renderSkip("manifests");
const flavours = skip ? { upstream: [], asm: [] } : { upstream: rendered("upstream"), asm: rendered("asm") };
const flavour = (name: keyof typeof flavours) => flavours[name];
const manifests = [...flavours.upstream, ...flavours.asm];
const INGRESS_HOST = "mocka.default.svc.cluster.local";
const ask = (m: Manifest) => m.doc;

test("every document parses and names its kind, name and namespace", { skip }, () => {
  for (const name of ["upstream", "asm"] as const)
    assert.ok(flavour(name).length >= 10, `${name}: only ${flavour(name).length} resources rendered`);
  for (const m of manifests) {
    for (const field of ["apiVersion", "kind"]) assert.equal(typeof m.doc[field], "string", `${m.where}: ${field} missing`);
    assert.equal(typeof m.doc.metadata?.name, "string", `${m.where}: metadata.name missing`);
    assert.equal(typeof m.doc.metadata?.namespace, "string", `${m.where}: metadata.namespace missing (kubectl would use the current one)`);
  }
});

test("each flavour applies one WasmPlugin, one Gateway and one ingress VirtualService, with no name clash", { skip }, () => {
  for (const name of ["upstream", "asm"] as const) {
    const applied = flavour(name);
    const ids = applied.map((m) => `${m.doc.kind} ${m.doc.metadata.namespace}/${m.doc.metadata.name}`);
    assert.deepEqual(
      ids.filter((id, i) => ids.indexOf(id) !== i),
      [],
      `${name}: duplicate resources`,
    );
    find(applied, "WasmPlugin", "hash-tagging", "istio-system");
    find(applied, "Gateway", "ingressgateway", "istio-system");
    find(applied, "VirtualService", "swimlane-ingress-vs", "istio-system");
  }
});

test("WasmPlugin: ingress gateway, phase AUTHN, IfNotPresent, the overlay's image placeholder, the reference pluginConfig with clientTag remove", {
  skip,
}, () => {
  for (const name of ["upstream", "asm"] as const)
    assert.deepEqual(
      find(flavour(name), "WasmPlugin", "hash-tagging").doc,
      find(flavour("upstream"), "WasmPlugin", "hash-tagging").doc,
      `${name}: the same gateway WasmPlugin`,
    );
  const spec = ask(find(flavour("upstream"), "WasmPlugin", "hash-tagging")).spec;
  assert.deepEqual(spec.selector, { matchLabels: { istio: "ingressgateway" } });
  assert.equal(spec.phase, "AUTHN");
  assert.equal(spec.imagePullPolicy, "IfNotPresent");
  assert.equal(spec.url, "oci://REGISTRY/hash-tagging:TAG");
  // The pin is the overlay's digest, in the url: no sha256 field to keep in step with it.
  assert.equal(spec.sha256, undefined);
  assert.deepEqual(spec.pluginConfig, {
    rules: [
      {
        header: "x-user-id",
        modulo: 100,
        tagHeader: "x-asm-prefer-tag",
        policies: [
          { range: 20, tagValue: "s2" },
          { range: 100, tagValue: "s1" },
        ],
        clientTag: "remove",
      },
    ],
  });
  assert.deepEqual(spec.pluginConfig, gatewayPluginConfig(), "the testbeds' gateway runs the shipped config");
});

test("Gateway: selector istio=ingressgateway, port 80 HTTP, hosts *", { skip }, () => {
  const spec = ask(find(flavour("upstream"), "Gateway", "ingressgateway")).spec;
  assert.deepEqual(spec.selector, { istio: "ingressgateway" });
  assert.deepEqual(spec.servers, [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }]);
});

/** A route rule reduced to what the reference specifies: match, header set, destinations (with fallback). */
function summarize(rule: any) {
  return {
    match: rule.match,
    set: rule.headers?.request?.set,
    to: rule.route.map((r: any) => [r.destination.host, r.destination.subset, r.fallback?.target?.subset]),
  };
}
const matchOn = (header: string, value: string) => [{ uri: { exact: "/" }, headers: { [header]: { exact: value } } }];

const BASELINE_MATCH = [{ uri: { exact: "/" } }];

test("ASM ingress VirtualService: the reference's three rules, with fallback to s1, then a baseline catch-all", { skip }, () => {
  const vs = ask(find(flavour("asm"), "VirtualService", "swimlane-ingress-vs")).spec;
  assert.deepEqual(vs.gateways, ["istio-system/ingressgateway"]);
  assert.deepEqual(vs.hosts, ["*"]);
  assert.deepEqual(vs.http.map(summarize), [
    { match: matchOn("x-user-id", "jason"), set: { "x-asm-prefer-tag": "s2" }, to: [[INGRESS_HOST, "s2", "s1"]] },
    { match: matchOn("x-asm-prefer-tag", "s2"), set: undefined, to: [[INGRESS_HOST, "s2", "s1"]] },
    { match: matchOn("x-asm-prefer-tag", "s1"), set: undefined, to: [[INGRESS_HOST, "s1", undefined]] },
    { match: BASELINE_MATCH, set: undefined, to: [[INGRESS_HOST, "s1", undefined]] },
  ]);
});

test("upstream ingress VirtualService: the same rules, fallback spelled out (mocka has only lane s1), catch-all", { skip }, () => {
  const vs = ask(find(flavour("upstream"), "VirtualService", "swimlane-ingress-vs")).spec;
  assert.deepEqual(vs.gateways, ["istio-system/ingressgateway"]);
  assert.deepEqual(vs.http.map(summarize), [
    { match: matchOn("x-user-id", "jason"), set: { "x-asm-prefer-tag": "s2" }, to: [[INGRESS_HOST, "s1", undefined]] },
    { match: matchOn("x-asm-prefer-tag", "s2"), set: undefined, to: [[INGRESS_HOST, "s1", undefined]] },
    { match: matchOn("x-asm-prefer-tag", "s1"), set: undefined, to: [[INGRESS_HOST, "s1", undefined]] },
    { match: undefined, set: undefined, to: [[INGRESS_HOST, "s1", undefined]] },
  ]);
});

const REFERENCE_DEPLOYMENTS = [
  { name: "mocka-v1", app: "mocka", version: "v1", upstream: "http://mockb:8000/" },
  { name: "mockb-v1", app: "mockb", version: "v1", upstream: "http://mockc:8000/" },
  { name: "mockc-v1", app: "mockc", version: "v1", upstream: undefined },
  { name: "mockc-v2", app: "mockc", version: "v2", upstream: undefined },
];

test("sample app: four Deployments labelled app, version and ASM_TRAFFIC_TAG, configured as the reference", { skip }, () => {
  const deployments = flavour("upstream").filter((m) => m.doc.kind === "Deployment");
  assert.deepEqual(
    deployments.map((m) => m.doc.metadata.name).sort(),
    REFERENCE_DEPLOYMENTS.map((d) => d.name),
  );
  for (const want of REFERENCE_DEPLOYMENTS) {
    const d = ask(find(flavour("upstream"), "Deployment", want.name, "default"));
    const labels = { app: want.app, version: want.version, ASM_TRAFFIC_TAG: want.version };
    assert.deepEqual(d.metadata.labels, labels, `${want.name}: labels`);
    assert.deepEqual(d.spec.template.metadata.labels, labels, `${want.name}: pod labels (lanes select pods)`);
    for (const [key, value] of Object.entries(d.spec.selector.matchLabels)) {
      assert.equal(d.spec.template.metadata.labels[key], value, `${want.name}: selector ${key} does not match its own pods`);
    }
    const [container] = d.spec.template.spec.containers;
    assert.equal(container.image, "REGISTRY/hash-tagging-sample-app:TAG", `${want.name}: the overlay's images: placeholder`);
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    assert.equal(env.app, want.app);
    assert.equal(env.version, want.version);
    assert.equal(env.upstream_url, want.upstream);
    assert.deepEqual(
      env.forward_headers.split(","),
      [...REFERENCE_APP.forwardHeaders],
      `${want.name}: forwards what the reference's app forwards (the trace id only)`,
    );
    assert.deepEqual(container.ports, [{ name: "http", containerPort: 8000 }]);
    assert.equal(env.PORT, "8000");
  }
});

test("sample app: one Service per app on port 8000, selecting every version of it", { skip }, () => {
  for (const app of ["mocka", "mockb", "mockc"]) {
    const service = ask(find(flavour("upstream"), "Service", app, "default")).spec;
    assert.deepEqual(service.selector, { app });
    assert.deepEqual(service.ports, [{ name: "http", port: 8000, targetPort: 8000 }]);
  }
});

/** Which Deployment's version a sidecar sends a request for `app` to, given its x-asm-prefer-tag (upstream flavour). */
function upstreamVersionFor(applied: Manifest[], app: string, tag: string | undefined): string {
  const { subset, labels } = routeInMesh(
    applied.map((m) => m.doc),
    `${app}.default.svc.cluster.local`,
    tag === undefined ? {} : { "x-asm-prefer-tag": tag },
  );
  const pods = applied.filter(
    (m) =>
      m.doc.kind === "Deployment" &&
      m.doc.spec.template.metadata.labels.app === app &&
      Object.entries(labels).every(([k, v]) => m.doc.spec.template.metadata.labels[k] === v),
  );
  assert.equal(pods.length, 1, `${app}: subset ${subset} (${JSON.stringify(labels)}) selects ${pods.length} Deployments, want 1`);
  return String(pods[0].doc.spec.template.metadata.labels.version);
}

test("upstream lanes: s2 reaches v2 where one exists and v1 elsewhere; s1 and untagged reach v1", { skip }, () => {
  const applied = flavour("upstream");
  const versions = (tag: string | undefined) => ["mocka", "mockb", "mockc"].map((app) => upstreamVersionFor(applied, app, tag));
  assert.deepEqual(versions("s2"), ["v1", "v1", "v2"]);
  assert.deepEqual(versions("s1"), ["v1", "v1", "v1"]);
  assert.deepEqual(versions(undefined), ["v1", "v1", "v1"]);
});

test("upstream: every subset a VirtualService names is defined for its host", { skip }, () => {
  const applied = flavour("upstream");
  for (const m of applied.filter((x) => x.doc.kind === "VirtualService")) {
    for (const rule of m.doc.spec.http) {
      for (const { destination } of rule.route) {
        const dr = applied.find((x) => x.doc.kind === "DestinationRule" && x.doc.spec.host === destination.host);
        assert.ok(dr, `${m.where}: no DestinationRule for ${destination.host}`);
        assert.ok(
          dr.doc.spec.subsets.some((s: any) => s.name === destination.subset),
          `${m.where}: subset ${destination.subset} of ${destination.host} undefined`,
        );
      }
    }
  }
});

test("the lane group's pass-through is the one the testbeds' sidecars run (trace-id mode)", () => {
  const group = parse(readFileSync(join(DEPLOY_DIR, LANE_GROUP_FILE), "utf8"));
  assert.deepEqual({ passThrough: { routeHeader: group.routeHeader, ...group.passThrough } }, SIDECAR_MODES["trace-id"].pluginConfig);
});
