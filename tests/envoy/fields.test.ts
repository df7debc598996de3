// The config fields beyond the reference's three, routed end to end through real Envoy: one Envoy whose
// rules are each scoped to a host (match.hosts), all writing x-asm-prefer-tag, in front of the
// sample app, whose routes pick the lane by that tag (x-ingress-route names the route that matched).
import assert from "node:assert/strict";
import { connect as connectHttp2 } from "node:http2";
import { connect } from "node:net";
import { test } from "node:test";
import { ROUTE_HEADER, TAG_HEADER, USER_HEADER } from "../../scripts/lib/envoy/topology.ts";
import { ruleHash } from "../support/fnv1a.ts";
import { chainFor, expectedTag, get, mapConcurrent, syntheticUsers, useTestbed } from "./support.ts";

const lanes = [
  { range: 20, tagValue: "s2" },
  { range: 100, tagValue: "s1" },
];
const rule = (name: string, host: string, extra: object) => ({
  name,
  match: { hosts: [host] },
  header: USER_HEADER,
  modulo: 100,
  tagHeader: TAG_HEADER,
  policies: lanes,
  ...extra,
});
// A user the hash puts in s1, pinned to s2 by an override.
const PINNED = syntheticUsers(200, "pin-").find((u) => expectedTag(u) === "s1")!;
const CONFIG = {
  rules: [
    rule("weights", "weights.test", {
      policies: undefined,
      partitionedPolicies: [
        { weight: 20, tagValue: "s2" },
        { weight: 80, tagValue: "s1" },
      ],
    }),
    rule("pinned", "pinned.test", { overrides: { [PINNED]: "s2" } }),
    rule("fallback", "fallback.test", { policies: [{ range: 20, tagValue: "s2" }], defaultTagValue: "s1" }),
    rule("strict", "strict.test", { clientTag: "remove" }),
    rule("cookie", "cookie.test", { header: undefined, cookie: "uid" }),
    rule("shop", "*.shop.test", { seed: "shop-2024" }),
  ],
};

const { bed, e2e } = useTestbed({ plugin: { config: CONFIG } });

/** The ingress route that served a request to `/` with these headers, and the mockc version that answered. */
async function routed(headers: Record<string, string>): Promise<{ route: string; chain: string }> {
  const r = await get(`${bed().ingressUrl}/`, headers);
  assert.equal(r.status, 200, `${JSON.stringify(headers)}: HTTP ${r.status}`);
  return { route: String(r.headers[ROUTE_HEADER]), chain: r.body.trim() };
}

/** Routes `users` through `host`, checking each lands on the lane `want(user)` says; returns how many got s2. */
async function routesUsers(host: string, users: string[], want: (user: string) => "s1" | "s2"): Promise<number> {
  const results = await mapConcurrent(users, 16, (u) => routed({ host, [USER_HEADER]: u }));
  users.forEach((u, i) => {
    const lane = want(u);
    assert.equal(results[i].route, `tag-${lane}`, `${host} ${u}`);
    assert.equal(results[i].chain, chainFor(lane === "s2" ? "v2" : "v1"), `${host} ${u}`);
  });
  return users.filter((u) => want(u) === "s2").length;
}

const stat = (name: string) => bed().envoy.stat(`wasmcustom.hash_tagging.${name}`);

test(
  "partitionedPolicies: weights 20 and 80 route users as ranges 20 and 100 do, counted per tag",
  e2e(async () => {
    const users = syntheticUsers(400, "w-");
    const canary = await routesUsers("weights.test", users, expectedTag);
    assert.ok(canary > 40 && canary < 120, `${canary} of 400 in the canary`);
    assert.equal(await stat("weights.tag.s2"), canary);
    assert.equal(await stat("weights.tag.s1"), users.length - canary);
  }),
);

test(
  "overrides: a user the hash puts in s1 is routed to s2, counted as override",
  e2e(async () => {
    const { route, chain } = await routed({ host: "pinned.test", [USER_HEADER]: PINNED });
    assert.equal(route, "tag-s2");
    assert.equal(chain, chainFor("v2"));
    await routesUsers("pinned.test", syntheticUsers(50, "free-"), expectedTag);
    assert.equal(await stat("pinned.override"), 1);
  }),
);

test(
  "defaultTagValue: no key and a bucket past the last range both ride s1, counted as default",
  e2e(async () => {
    assert.equal((await routed({ host: "fallback.test", [TAG_HEADER]: "s2" })).route, "tag-s1");
    const past = syntheticUsers(50, "f-").filter((u) => expectedTag(u) === "s1");
    await routesUsers("fallback.test", past, () => "s1");
    assert.equal(await stat("fallback.default"), past.length + 1);
  }),
);

test(
  'clientTag "remove": a client without a key cannot pick the canary, in the rule\'s scope or out of it',
  e2e(async () => {
    assert.equal((await routed({ host: "strict.test", [TAG_HEADER]: "s2" })).route, "baseline");
    assert.equal(await stat("strict.no_key"), 1);
    // Out of the rule's scope (match.hosts) the rule writes nothing, and the client's tag goes too.
    assert.equal((await routed({ host: "elsewhere.test", [TAG_HEADER]: "s2" })).route, "baseline");
    // Another spelling of the host is the same host: a trailing dot does not leave the scope.
    assert.equal((await routed({ host: "strict.test.", [TAG_HEADER]: "s2" })).route, "baseline");
    assert.equal(await stat("strict.no_key"), 2);
  }),
);

/** The tag Envoy's router saw for one HTTP/2 request (the /_tag echo) carrying `cookies` as separate cookie fields. */
function http2Tag(host: string, cookies: string[]): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const session = connectHttp2(bed().ingressUrl);
    session.on("error", reject);
    const request = session.request({ ":path": "/_tag", ":authority": host, cookie: cookies });
    request.on("response", (headers) => {
      const tag = headers[TAG_HEADER];
      resolve(typeof tag === "string" && tag !== "" ? tag : undefined);
      session.close();
    });
    request.on("error", reject);
    request.resume();
    request.end();
  });
}

/** The tag Envoy's router saw for one raw HTTP/1.1 request (the /_tag echo), with header lines written as given. */
function rawTag(headerLines: string[]): Promise<string | undefined> {
  const url = new URL(bed().ingressUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let response = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (response += chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const tag = new RegExp(`^${TAG_HEADER}: (.*)\\r$`, "mi").exec(response);
      resolve(tag?.[1] || undefined);
    });
    socket.write(["GET /_tag HTTP/1.1", ...headerLines, "Connection: close", "", ""].join("\r\n"));
  });
}

test(
  "cookie: the uid cookie keys the rule, never xuid; HTTP/2 cookie crumbs are joined by Envoy and searched",
  e2e(async () => {
    const users = syntheticUsers(100, "c-");
    const results = await mapConcurrent(users, 16, (u) => routed({ host: "cookie.test", cookie: `xuid=x-${u}; uid=${u}; theme=dark` }));
    users.forEach((u, i) => assert.equal(results[i].route, `tag-${expectedTag(u)}`, u));
    assert.equal((await routed({ host: "cookie.test", cookie: "xuid=jack" })).route, "baseline");
    const user = users.find((u) => expectedTag(u) === "s2")!;
    assert.equal(await http2Tag("cookie.test", ["theme=dark", `uid=${user}`, "x=1"]), "s2");
    // HTTP/1.1 allows one Cookie line (RFC 6265 section 5.4); of several, Envoy hands the filter the first.
    assert.equal(await rawTag(["Host: cookie.test", `Cookie: uid=${user}`, "Cookie: theme=dark"]), "s2");
    assert.equal(await rawTag(["Host: cookie.test", "Cookie: theme=dark", `Cookie: uid=${user}`]), undefined);
    assert.equal(await stat("cookie.no_key"), 2);
  }),
);

test(
  "match.hosts: *.shop.test takes subdomains in any case and with a port, not shop.test itself",
  e2e(async () => {
    const users = syntheticUsers(100, "s-");
    const seeded = (u: string) => (ruleHash(u, { seed: "shop-2024" }) % 100 < 20 ? "s2" : "s1");
    const canary = await routesUsers("www.Shop.TEST:8080", users, seeded);
    assert.equal(await stat("shop.tag.s2"), canary);
    const user = users.find((u) => seeded(u) === "s2")!;
    assert.equal((await routed({ host: "shop.test", [USER_HEADER]: user })).route, "baseline");
    assert.equal((await routed({ host: "a.b.shop.test", [USER_HEADER]: user })).route, "tag-s2");
    assert.equal(await stat("shop.tag.s2"), canary + 1);
  }),
);
