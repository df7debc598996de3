// Real Istio, a second lane group: `npx hash-tagging lanes` turns a group with other names (release:
// lanes base, blue, green; routing header x-lane; blue holds only mockb, green only mockc) into
// DestinationRules, VirtualServices and pass-through WasmPlugins, istiod turns those into the gateway's and
// the sidecars' Envoy config, and the sample app (mockb v1 and v2, mockc v1 and v3; apps forwarding only
// x-user-id) answers which instance served each hop. The gateway's filter spreads users over the three
// lanes and a tag no lane of the group has, as a gateway still tagging a lane removed from the group does.
import assert from "node:assert/strict";
import { kubectl } from "../../scripts/istio/kubectl.ts";
import type { SampleInstance } from "../../scripts/istio/sample-app.ts";
import { ask } from "../../scripts/istio/walkthrough.ts";
import { type Service, USER_HEADER } from "../../scripts/lib/envoy/topology.ts";
import { fnv1a32OfText } from "../support/fnv1a.ts";
import { adminStat, chainTest, chainThrough, skipReason, useLocalIstio } from "./support.ts";

const ROUTE_HEADER = "x-lane";
const SERVICES: readonly Service[] = [
  { app: "mocka", versions: ["v1"], upstream: "mockb" },
  { app: "mockb", versions: ["v1", "v2"], upstream: "mockc" },
  { app: "mockc", versions: ["v1", "v3"] },
];
/** Ingress rule of a lane: requests the gateway's filter tagged with it, into mocka. */
const tagRule = (lane: string) => ({
  name: `lane-${lane}`,
  hosts: ["*"],
  match: { headers: { [ROUTE_HEADER]: { exact: lane } } },
  route: { destination: { host: "mocka.default.svc.cluster.local" } },
});
/** carol's bucket (62) is base's; the ingress rule naming her must put her in green by writing the tag. */
const NAMED_GREEN_USER = "carol";
const GROUP = {
  name: "release",
  ingressGateway: "istio-system/ingressgateway",
  mode: "loose",
  routeHeader: ROUTE_HEADER,
  passThrough: { traceHeader: USER_HEADER },
  services: ["default/mocka", "default/mockb", "default/mockc"],
  lanes: [
    {
      name: "base",
      labelSelector: { version: "v1" },
      services: ["default/mocka", "default/mockb", "default/mockc"],
      ingressRules: [tagRule("base")],
    },
    { name: "blue", labelSelector: { version: "v2" }, services: ["default/mockb"], ingressRules: [tagRule("blue")] },
    {
      name: "green",
      labelSelector: { version: "v3" },
      services: ["default/mockc"],
      ingressRules: [
        tagRule("green"),
        {
          name: `user-${NAMED_GREEN_USER}`,
          hosts: ["*"],
          match: { headers: { [USER_HEADER]: { exact: NAMED_GREEN_USER } } },
          route: { destination: { host: "mocka.default.svc.cluster.local" } },
        },
      ],
    },
  ],
};
/** The gateway's buckets: 25% blue, 25% green, 10% red (no lane of the group), the rest base. */
const POLICIES = [
  { range: 25, tagValue: "blue" },
  { range: 50, tagValue: "green" },
  { range: 60, tagValue: "red" },
  { range: 100, tagValue: "base" },
];
const RULE = "release";
const GATEWAY_CONFIG = {
  rules: [{ name: RULE, header: USER_HEADER, modulo: 100, tagHeader: ROUTE_HEADER, policies: POLICIES, clientTag: "remove" }],
};
/** The instance of each app a lane's request reaches: its own where the lane holds the app, base's (v1) elsewhere. */
const VERSIONS: Record<string, Record<string, string>> = { base: {}, blue: { mockb: "v2" }, green: { mockc: "v3" }, red: {} };

const skip = skipReason();
const istio = useLocalIstio(skip, "trace-id", { services: SERVICES, laneGroup: GROUP, gatewayPluginConfig: GATEWAY_CONFIG });
const check = chainTest(skip, istio, true);

/** The tag the gateway's policies give a user id, by the independent FNV-1a. */
function tagOf(user: string): string {
  const bucket = fnv1a32OfText(user) % 100;
  const policy = POLICIES.find((p) => bucket < p.range);
  if (!policy) throw new Error(`bucket ${bucket} of ${user} is past the last range`);
  return policy.tagValue;
}

const users = Array.from({ length: 40 }, (_, i) => `release-user-${i}`);
const chainOf = (lane: string) => chainThrough(istio().instances, VERSIONS[lane]);

async function answer(user: string | undefined, headers: Record<string, string> = {}): Promise<string> {
  const r = await ask(istio().gatewayUrl, user, headers);
  assert.equal(r.status, 200, `user ${user}: HTTP ${r.status}: ${r.body}`);
  return r.body;
}

/** A sidecar's clusters of one service (`outbound|8000|<subset>|<host>`), each with the addresses of its endpoints. */
async function subsetEndpoints(adminUrl: string, app: string): Promise<Record<string, string[]>> {
  const text = await (await fetch(`${adminUrl}/clusters`)).text();
  const found: Record<string, string[]> = {};
  const line = new RegExp(`^outbound\\|8000\\|([^|]*)\\|${app}\\.default\\.svc\\.cluster\\.local::([0-9.]+):8000::health_flags::`, "gm");
  for (const [, subset, ip] of text.matchAll(line)) (found[subset || "(all)"] ??= []).push(ip);
  for (const ips of Object.values(found)) ips.sort();
  return found;
}

const ipOf = (instances: SampleInstance[], app: string, version: string) =>
  instances.find((i) => i.app === app && i.version === version)?.ip ?? "none";

check(
  "istiod turns the release group's DestinationRules into subsets of exactly each lane's instances, and nothing of the shipped group remains",
  async () => {
    const { kubeconfig, instances, sidecars } = istio();
    const names = async (kind: string) =>
      JSON.parse(await kubectl(kubeconfig, ["get", kind, "-A", "-o", "json"]))
        .items.map((i: { metadata: { namespace: string; name: string } }) => `${i.metadata.namespace}/${i.metadata.name}`)
        .sort();
    assert.deepEqual(await names("virtualservices"), [
      "default/mocka",
      "default/mockb",
      "default/mockc",
      "istio-system/release-ingress-vs",
    ]);
    assert.deepEqual(await names("wasmplugins"), [
      "default/release-pass-through-mocka-inbound",
      "default/release-pass-through-mocka-outbound",
      "default/release-pass-through-mockb-inbound",
      "default/release-pass-through-mockb-outbound",
      "default/release-pass-through-mockc-inbound",
      "default/release-pass-through-mockc-outbound",
      "istio-system/hash-tagging",
    ]);
    assert.deepEqual([...sidecars.keys()].sort(), ["mocka-v1", "mockb-v1", "mockb-v2"]);
    const ip = (app: string, version: string) => ipOf(instances, app, version);
    const mocka = sidecars.get("mocka-v1");
    const mockb = sidecars.get("mockb-v2");
    assert.ok(mocka && mockb);
    assert.deepEqual(await subsetEndpoints(mocka.adminUrl, "mockb"), {
      "(all)": [ip("mockb", "v1"), ip("mockb", "v2")].sort(),
      base: [ip("mockb", "v1")],
      blue: [ip("mockb", "v2")],
    });
    assert.deepEqual(await subsetEndpoints(mockb.adminUrl, "mockc"), {
      "(all)": [ip("mockc", "v1"), ip("mockc", "v3")].sort(),
      base: [ip("mockc", "v1")],
      green: [ip("mockc", "v3")],
    });
  },
);

check(
  "through the gateway, each user rides the lane of their bucket on every hop: blue reaches mockb v2, green mockc v3, the rest base",
  async () => {
    const expected = new Map(users.map((u) => [u, tagOf(u)]));
    const counts = Object.fromEntries(Object.keys(VERSIONS).map((lane) => [lane, users.filter((u) => expected.get(u) === lane).length]));
    console.log(`# ${users.length} users by the gateway's buckets: ${JSON.stringify(counts)}`);
    for (const [lane, n] of Object.entries(counts)) assert.ok(n >= 2, `only ${n} of the users fall in ${lane}: pick more users`);
    const stat = (name: string) => adminStat(istio().gateway.adminUrl, `wasmcustom.hash_tagging.${RULE}.tag.${name}`);
    const before = Object.fromEntries(await Promise.all(Object.keys(VERSIONS).map(async (lane) => [lane, await stat(lane)])));
    // Users interleaved, three rounds: each hop's record of a user's lane must hold while others pass.
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      for (const user of users) {
        const lane = expected.get(user) as string;
        assert.equal(await answer(user), chainOf(lane), `user ${user} (lane ${lane}), round ${round + 1}`);
      }
    }
    for (const [lane, n] of Object.entries(counts)) {
      assert.equal((await stat(lane)) - before[lane], n * rounds, `the gateway's filter tagged ${lane} (counter tag.${lane})`);
    }
    console.log(`# e.g. a blue user: ${await answer(users.find((u) => expected.get(u) === "blue"))}`);
    console.log(`# e.g. a green user: ${await answer(users.find((u) => expected.get(u) === "green"))}`);
  },
);

check(
  "an unknown tag (red: no lane of the group) rides base on every hop, its requests past the ingress catch-all and each service's baseline route",
  async () => {
    const red = users.filter((u) => tagOf(u) === "red");
    for (const user of red) assert.equal(await answer(user), chainOf("base"), `user ${user}`);
  },
);

check("the ingress rule naming carol writes green for her (her bucket says base): she reaches mockc v3", async () => {
  assert.equal(tagOf(NAMED_GREEN_USER), "base", "carol's bucket must be base's for this check to mean anything");
  for (let n = 0; n < 3; n++) assert.equal(await answer(NAMED_GREEN_USER), chainOf("green"), `request ${n + 1}`);
});

// Without a user id no hop can restore a lane, whatever x-lane the client sends (the gateway also removes it: clientTag).
check("a request without a user id rides base on every hop, with or without a client's x-lane", async () => {
  assert.equal(await answer(undefined), chainOf("base"), "untagged");
  for (const lane of ["blue", "green", "red"]) {
    assert.equal(await answer(undefined, { [ROUTE_HEADER]: lane }), chainOf("base"), `forged x-lane: ${lane}`);
  }
});
