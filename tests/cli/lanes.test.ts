// `npx hash-tagging lanes`: the reference's lane group gives exactly the shipped deploy/istio/upstream/,
// every generated resource passes Istio's schemas, the lanes route as the managed mesh's would (checked
// with an independent statement of Istio's routing), and bad lane groups get one error per problem.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { parse, parseAllDocuments, stringify } from "yaml";
import { istioSchemaProblems } from "../manifests/support/istio-schema.ts";
import { routeInMesh } from "../support/istio-routes.ts";
import { runCli, scratch } from "./run-cli.ts";

const REFERENCE = "deploy/istio/lane-group.yaml";
const SHIPPED_DIR = "deploy/istio/upstream";
const files = scratch("lanes");
const reference = () => parse(readFileSync(REFERENCE, "utf8"));
const docsOf = (text: string) => parseAllDocuments(text).map((d) => d.toJS());

function yamlFiles(dir: string): string[] {
  return (
    readdirSync(dir, { withFileTypes: true, recursive: true })
      // The overlay's kustomization.yaml is written by hand: it lists the generated files and sets the images.
      .filter((e) => e.isFile() && e.name.endsWith(".yaml") && e.name !== "kustomization.yaml")
      .map((e) => relative(dir, join(e.parentPath, e.name)))
      .sort()
  );
}

/** Runs `lanes` on a lane group given as an object (written to a scratch file). */
function lanesOf(group: unknown, ...args: string[]) {
  const path = files.file(`group-${Math.random().toString(36).slice(2)}.yaml`, stringify(group));
  return { path, ...runCli(["lanes", path, ...args]) };
}

test("the reference lane group gives exactly the shipped deploy/istio/upstream/ (--out)", () => {
  const out = join(files.dir, "upstream");
  const r = runCli(["lanes", REFERENCE, "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(yamlFiles(out), yamlFiles(SHIPPED_DIR), "the same files");
  for (const name of yamlFiles(SHIPPED_DIR)) {
    assert.equal(
      readFileSync(join(SHIPPED_DIR, name), "utf8"),
      readFileSync(join(out, name), "utf8"),
      `${SHIPPED_DIR}/${name} differs from the generator's output: run npx hash-tagging lanes ${REFERENCE} --out ${SHIPPED_DIR}`,
    );
  }
  assert.deepEqual(
    r.stdout.trimEnd().split("\n").sort(),
    yamlFiles(SHIPPED_DIR)
      .map((f) => `wrote ${join(out, f)}`)
      .sort(),
    "one line per file written",
  );
});

test("printed, the reference's resources are the shipped ones, and each passes Istio's schemas", () => {
  const r = runCli(["lanes", REFERENCE]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
  const printed = docsOf(r.stdout);
  const shipped = yamlFiles(SHIPPED_DIR).flatMap((f) => docsOf(readFileSync(join(SHIPPED_DIR, f), "utf8")));
  const id = (d: any) => `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`;
  assert.deepEqual(printed.map(id).sort(), shipped.map(id).sort());
  assert.deepEqual(printed.map(id), [
    "DestinationRule default/mocka",
    "DestinationRule default/mockb",
    "DestinationRule default/mockc",
    "VirtualService default/mocka",
    "VirtualService default/mockb",
    "VirtualService default/mockc",
    "VirtualService istio-system/swimlane-ingress-vs",
    ...["mocka", "mockb", "mockc"].flatMap((app) =>
      ["inbound", "outbound"].map((side) => `WasmPlugin default/swimlane-pass-through-${app}-${side}`),
    ),
  ]);
  for (const doc of printed) assert.deepEqual(istioSchemaProblems(doc), [], id(doc));
});

test("reference lanes: s2 reaches mockc v2 and v1 elsewhere; s1 and untagged reach v1 (loose mode)", () => {
  const docs = docsOf(runCli(["lanes", REFERENCE]).stdout);
  const version = (app: string, headers: Record<string, string>) =>
    routeInMesh(docs, `${app}.default.svc.cluster.local`, headers).labels.ASM_TRAFFIC_TAG;
  const chain = (headers: Record<string, string>) => ["mocka", "mockb", "mockc"].map((app) => version(app, headers));
  assert.deepEqual(chain({ "x-asm-prefer-tag": "s2" }), ["v1", "v1", "v2"]);
  assert.deepEqual(chain({ "x-asm-prefer-tag": "s1" }), ["v1", "v1", "v1"]);
  assert.deepEqual(chain({}), ["v1", "v1", "v1"]);
  assert.deepEqual(chain({ "x-asm-prefer-tag": "s9" }), ["v1", "v1", "v1"], "an unknown lane rides the baseline");
  const plugins = docs.filter((d) => d.kind === "WasmPlugin" && d.spec.selector.matchLabels.app === "mocka");
  assert.deepEqual(
    plugins.map((p) => [p.spec.match, p.spec.pluginConfig]),
    [
      [[{ mode: "SERVER" }], { passThrough: { routeHeader: "x-asm-prefer-tag", traceHeader: "x-user-id", direction: "inbound" } }],
      [[{ mode: "CLIENT" }], { passThrough: { routeHeader: "x-asm-prefer-tag", traceHeader: "x-user-id", direction: "outbound" } }],
    ],
    "one WasmPlugin per side of mocka's sidecars, each naming its direction",
  );
});

/** A group with other names: three lanes, one service in each non-baseline lane, baggage mode with fallback rules. */
const SECOND = {
  name: "checkout",
  ingressGateway: "edge/public-gw",
  mode: "loose",
  routeHeader: "x-lane",
  passThrough: {
    baggage: "release",
    rules: [{ header: "x-customer", modulo: 100, tagHeader: "x-lane", policies: [{ range: 100, tagValue: "stable" }] }],
  },
  services: ["shop/web", "shop/cart", "pay/ledger"],
  lanes: [
    {
      name: "stable",
      labelSelector: { track: "stable" },
      services: ["shop/web", "shop/cart", "pay/ledger"],
      ingressRules: [{ name: "everyone", hosts: ["shop.example.com"], route: { destination: { host: "web.shop.svc.cluster.local" } } }],
    },
    {
      name: "blue",
      labelSelector: { track: "blue" },
      services: ["shop/cart"],
      ingressRules: [
        {
          name: "blue-testers",
          hosts: ["shop.example.com"],
          match: { headers: { "x-tester": { exact: "blue" } } },
          route: { destination: { host: "web.shop.svc.cluster.local" } },
        },
      ],
    },
    {
      name: "green",
      labelSelector: { track: "green" },
      services: ["pay/ledger"],
      ingressRules: [
        {
          name: "green-tag",
          hosts: ["shop.example.com"],
          match: { headers: { "x-lane": { exact: "green" } } },
          route: { destination: { host: "web.shop.svc.cluster.local" } },
        },
      ],
    },
  ],
};

test("a second group (three lanes, one service in each canary lane, baggage mode): schemas, routes, plugins", () => {
  const r = lanesOf(SECOND);
  assert.equal(r.status, 0, r.stderr);
  const docs = docsOf(r.stdout);
  for (const doc of docs) assert.deepEqual(istioSchemaProblems(doc), [], `${doc.kind} ${doc.metadata.name}`);
  const hosts = { web: "web.shop.svc.cluster.local", cart: "cart.shop.svc.cluster.local", ledger: "ledger.pay.svc.cluster.local" };
  const track = (host: string, lane?: string) => routeInMesh(docs, host, lane ? { "x-lane": lane } : {}).labels.track;
  const want: Record<string, string[]> = {
    stable: ["stable", "stable", "stable"],
    blue: ["stable", "blue", "stable"],
    green: ["stable", "stable", "green"],
    none: ["stable", "stable", "stable"],
  };
  for (const [lane, tracks] of Object.entries(want)) {
    assert.deepEqual(
      [hosts.web, hosts.cart, hosts.ledger].map((h) => track(h, lane === "none" ? undefined : lane)),
      tracks,
      `lane ${lane}`,
    );
  }
  const dr = (host: string) => docs.find((d) => d.kind === "DestinationRule" && d.spec.host === host);
  assert.deepEqual(dr(hosts.ledger).metadata, { name: "ledger", namespace: "pay" });
  assert.deepEqual(
    dr(hosts.cart).spec.subsets.map((s: any) => s.name),
    ["stable", "blue"],
  );
  const ingress = docs.find((d) => d.kind === "VirtualService" && d.spec.gateways);
  assert.deepEqual(ingress.metadata, { name: "checkout-ingress-vs", namespace: "edge" });
  assert.deepEqual(ingress.spec.gateways, ["edge/public-gw"]);
  assert.deepEqual(ingress.spec.hosts, ["shop.example.com"]);
  assert.deepEqual(
    ingress.spec.http.map((rule: any) => [rule.name, rule.headers?.request?.set?.["x-lane"], rule.route[0].destination.subset]),
    [
      ["blue-testers", "blue", "stable"], // web has no blue: the baseline serves it, the tag goes on to cart
      ["green-tag", undefined, "stable"], // matched on the tag already
      ["everyone", "stable", "stable"],
      ["baseline", undefined, "stable"],
    ],
  );
  const plugins = docs.filter((d) => d.kind === "WasmPlugin");
  assert.deepEqual(
    plugins.map((p) => `${p.metadata.namespace}/${p.metadata.name} app=${p.spec.selector.matchLabels.app} ${p.spec.match[0].mode}`),
    [
      "shop/checkout-pass-through-web-inbound app=web SERVER",
      "shop/checkout-pass-through-web-outbound app=web CLIENT",
      "shop/checkout-pass-through-cart-inbound app=cart SERVER",
      "shop/checkout-pass-through-cart-outbound app=cart CLIENT",
      "pay/checkout-pass-through-ledger-inbound app=ledger SERVER",
      "pay/checkout-pass-through-ledger-outbound app=ledger CLIENT",
    ],
  );
  assert.deepEqual(plugins[1].spec.pluginConfig, {
    passThrough: { routeHeader: "x-lane", baggage: "release", direction: "outbound" },
    rules: SECOND.passThrough.rules,
  });
});

test("strict mode: every lane holds every service, and each tag stays in its lane", () => {
  const strict = { ...structuredClone(SECOND), mode: "strict" };
  for (const lane of strict.lanes) lane.services = [...SECOND.services];
  const docs = docsOf(lanesOf(strict).stdout);
  for (const lane of ["stable", "blue", "green"]) {
    assert.deepEqual(
      ["web.shop.svc.cluster.local", "ledger.pay.svc.cluster.local"].map((h) => routeInMesh(docs, h, { "x-lane": lane }).labels.track),
      [lane, lane],
    );
  }
  const r = lanesOf({ ...SECOND, mode: "strict" });
  assert.equal(r.status, 2);
  assert.deepEqual(r.stderr.trimEnd().split("\n"), [
    `hash-tagging: ${r.path}: lanes[1].services: missing shop/web, pay/ledger: in strict mode every lane holds every service`,
    `hash-tagging: ${r.path}: lanes[2].services: missing shop/web, shop/cart: in strict mode every lane holds every service`,
  ]);
});

test("--image and --sha256 go into every WasmPlugin; bad values are refused", () => {
  const digest = "a".repeat(64);
  const docs = docsOf(runCli(["lanes", REFERENCE, "--image", "oci://127.0.0.1:5000/hash-tagging:local", "--sha256", digest]).stdout);
  for (const p of docs.filter((d) => d.kind === "WasmPlugin")) {
    assert.equal(p.spec.url, "oci://127.0.0.1:5000/hash-tagging:local");
    assert.equal(p.spec.sha256, digest);
  }
  const bad = runCli(["lanes", REFERENCE, "--image", "registry/x:1"]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^hash-tagging: --image "registry\/x:1": expected an oci:\/\/ URL/);
  assert.match(
    runCli(["lanes", REFERENCE, "--sha256", "sha256:abc"]).stderr,
    /--sha256 "sha256:abc": expected the manifest digest as 64 lower-case hex digits/,
  );
});

test("without passThrough no WasmPlugin is generated (apps then forward the routing header themselves)", () => {
  const { passThrough: _, ...group } = reference();
  const docs = docsOf(lanesOf(group).stdout);
  assert.deepEqual(
    docs.filter((d) => d.kind === "WasmPlugin"),
    [],
  );
  assert.equal(docs.length, 7);
});

/** Bad groups: an edit of the reference, and the lines (after `FILE: `) it must be refused with. */
const BAD: { what: string; edit(g: any): unknown; want: string[] }[] = [
  {
    what: "a lane naming a service outside the group",
    edit: (g) => {
      g.lanes[1].services.push("default/mockd");
    },
    want: ["lanes[1].services[1]: default/mockd is not in the group's services (default/mocka, default/mockb, default/mockc)"],
  },
  {
    what: "a duplicate lane",
    edit: (g) => {
      g.lanes.push({ ...structuredClone(g.lanes[1]), labelSelector: { ASM_TRAFFIC_TAG: "v3" }, ingressRules: undefined });
    },
    want: ['lanes[2].name: duplicate lane "s2" (first at lanes[1].name)'],
  },
  {
    what: "two lanes selecting the same pods",
    edit: (g) => {
      g.lanes[1].labelSelector = { ASM_TRAFFIC_TAG: "v1" };
    },
    want: ['lanes[1].labelSelector: duplicate labelSelector "ASM_TRAFFIC_TAG=v1" (first at lanes[0].labelSelector)'],
  },
  {
    what: "no lanes",
    edit: (g) => {
      g.lanes = [];
    },
    want: ["lanes: expected a non-empty list, got an empty list"],
  },
  {
    what: "a missing label",
    edit: (g) => {
      delete g.lanes[1].labelSelector;
    },
    want: ["lanes[1].labelSelector: required"],
  },
  {
    what: "an empty label selector and a bad label value",
    edit: (g) => {
      g.lanes[0].labelSelector = {};
      g.lanes[1].labelSelector = { ASM_TRAFFIC_TAG: "v 2" };
    },
    want: [
      "lanes[0].labelSelector: expected at least one label (the lane's pods carry it)",
      'lanes[1].labelSelector.ASM_TRAFFIC_TAG: expected a Kubernetes label value (at most 63 letters, digits, -, _ and .), got "v 2"',
    ],
  },
  {
    what: "a bad header name",
    edit: (g) => {
      g.routeHeader = "X-ASM-Prefer-Tag";
      g.passThrough.traceHeader = "x user";
    },
    want: [
      'routeHeader: expected a lower-case HTTP header name (token characters, e.g. x-user-id), got "X-ASM-Prefer-Tag"',
      'passThrough.traceHeader: expected a lower-case HTTP header name (token characters, e.g. x-user-id), got "x user"',
    ],
  },
  {
    what: "both pass-through modes",
    edit: (g) => {
      g.passThrough.baggage = "lane";
    },
    want: ["passThrough: traceHeader and baggage are exclusive: pick one pass-through mode"],
  },
  {
    what: "no pass-through mode, slots out of range",
    edit: (g) => {
      g.passThrough = { slots: 0 };
    },
    want: [
      "passThrough: expected one mode: traceHeader (trace-id pass-through) or baggage (a W3C baggage member)",
      "passThrough.slots: expected an integer from 1 to 1048576, got the number 0",
    ],
  },
  {
    what: "unknown fields, with the closest known name",
    edit: (g) => {
      g.lane = [];
      g.lanes[0].servces = g.lanes[0].services;
      g.passThrough.ttl = 5;
    },
    want: [
      'lane: unknown field (did you mean "lanes"?)',
      "passThrough.ttl: unknown field (known: traceHeader, baggage, slots, ttlSeconds, rules)",
      'lanes[0].servces: unknown field (did you mean "services"?)',
    ],
  },
  {
    what: "a baseline that lacks a service (loose mode)",
    edit: (g) => {
      g.lanes[0].services = ["default/mocka"];
    },
    want: ["lanes[0].services: missing default/mockb, default/mockc: the baseline (first lane) serves every service a lane lacks"],
  },
  {
    what: "the trace header used as the routing header",
    edit: (g) => {
      g.passThrough.traceHeader = "x-asm-prefer-tag";
    },
    want: ["passThrough.traceHeader: must differ from routeHeader (x-asm-prefer-tag): the trace value keys the lane it carries"],
  },
  {
    what: "an ingress rule to a service outside the group, a repeated rule name, other hosts",
    edit: (g) => {
      g.lanes[1].ingressRules[0].route.destination.host = "mockd.default.svc.cluster.local";
      g.lanes[1].ingressRules[1].name = "lane-s1";
      g.lanes[1].ingressRules[1].hosts = ["example.com"];
    },
    want: [
      'lanes[1].ingressRules[0].route.destination.host: "mockd.default.svc.cluster.local" is not a service of the group (expected one of mocka.default.svc.cluster.local, mockb.default.svc.cluster.local, mockc.default.svc.cluster.local)',
      'lanes[1].ingressRules[1].name: duplicate ingress rule name "lane-s1" (first at lanes[0].ingressRules[0].name)',
      'lanes[1].ingressRules[1].hosts: expected the same hosts as lanes[0].ingressRules[0] (["*"]): every ingress rule goes into one VirtualService',
    ],
  },
  {
    what: "a malformed match",
    edit: (g) => {
      g.lanes[0].ingressRules[0].match = { uri: { exact: "/", prefix: "/" }, headers: { "X-User": { exact: "j" } }, port: 80 };
    },
    want: [
      "lanes[0].ingressRules[0].match.port: unknown field (known: uri, scheme, method, authority, headers, queryParams, withoutHeaders, ignoreUriCase)",
      "lanes[0].ingressRules[0].match.uri: expected exactly one of exact, prefix, regex, got exact and prefix",
      'lanes[0].ingressRules[0].match.headers.X-User: expected a lower-case HTTP header name (token characters, e.g. x-user-id), got "X-User"',
    ],
  },
  {
    what: "missing group fields and a bad mode",
    edit: (g) => {
      delete g.name;
      delete g.services;
      g.mode = "permissive";
      g.ingressGateway = "ingressgateway";
    },
    want: [
      "name: required",
      'ingressGateway: expected namespace/name (two DNS-1123 labels, e.g. default/mocka), got "ingressgateway"',
      'mode: expected loose or strict, got "permissive"',
      "services: required",
      "lanes[0].services[0]: default/mocka is not in the group's services ()",
      "lanes[0].services[1]: default/mockb is not in the group's services ()",
      "lanes[0].services[2]: default/mockc is not in the group's services ()",
      'lanes[0].ingressRules[0].route.destination.host: "mocka.default.svc.cluster.local" is not a service of the group (expected one of )',
      "lanes[1].services[0]: default/mockc is not in the group's services ()",
      'lanes[1].ingressRules[0].route.destination.host: "mocka.default.svc.cluster.local" is not a service of the group (expected one of )',
      'lanes[1].ingressRules[1].route.destination.host: "mocka.default.svc.cluster.local" is not a service of the group (expected one of )',
    ],
  },
];

for (const bad of BAD) {
  test(`refused with its path: ${bad.what}`, () => {
    const group = reference();
    bad.edit(group);
    const r = lanesOf(group);
    assert.equal(r.status, 2, `exit code (stderr: ${r.stderr})`);
    assert.equal(r.stdout, "", "nothing generated");
    assert.deepEqual(
      r.stderr.trimEnd().split("\n"),
      bad.want.map((line) => `hash-tagging: ${r.path}: ${line}`),
    );
  });
}

test("a file that is not a lane group: unreadable, not YAML, several documents, not a mapping", () => {
  const cases: [string, RegExp][] = [
    [join(files.dir, "missing.yaml"), /missing\.yaml: cannot read: ENOENT/],
    [files.file("broken.yaml", "lanes: [\n"), /broken\.yaml: not YAML: /],
    [files.file("two.yaml", "name: a\n---\nname: b\n"), /two\.yaml: expected one YAML document \(a lane group\), got 2/],
    [files.file("list.yaml", "- name: a\n"), /list\.yaml: \(top level\): expected a mapping, got a list/],
  ];
  for (const [path, pattern] of cases) {
    const r = runCli(["lanes", path]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, pattern);
  }
});
