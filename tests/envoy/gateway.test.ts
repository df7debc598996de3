// The gateway's side of the lane contract, through a real Envoy running build/plugin.wasm: the tag it
// writes, the route that sees it. The sidecars here run no filter: what happens past the gateway is
// walkthrough.test.ts's (the pass-through).
import assert from "node:assert/strict";
import { test } from "node:test";
import { chainFor, expectedTag, get, mapConcurrent, syntheticUsers, tagOf, useTestbed } from "./support.ts";

const { bed, e2e } = useTestbed({ sidecarPlugin: null });

const ask = (headers: Record<string, string>) => get(`${bed().ingressUrl}/`, headers);

test(
  "the ingress route sees the tag the filter wrote (route cache cleared after the header write)",
  e2e(async () => {
    // jessie and jack hash into the canary, bob into the baseline; none sends a tag of its own.
    for (const user of ["jessie", "jack", "bob"]) {
      const want = `tag-${expectedTag(user)}`;
      const r = await ask({ "x-user-id": user });
      assert.equal(r.headers["x-ingress-route"], want, `user ${user}: got route ${r.headers["x-ingress-route"]}, want ${want}`);
    }
    const jason = await ask({ "x-user-id": "jason" });
    assert.equal(jason.headers["x-ingress-route"], "user-jason", `jason: got route ${jason.headers["x-ingress-route"]}, want user-jason`);
  }),
);

test(
  "a request without x-user-id gets no tag and rides the baseline lane s1",
  e2e(async () => {
    const r = await ask({});
    assert.equal(r.body.trimEnd(), chainFor("v1"), `got ${r.body.trimEnd()}, want ${chainFor("v1")}`);
    assert.equal(r.headers["x-ingress-route"], "baseline", `got route ${r.headers["x-ingress-route"]}, want baseline`);
    const echo = await get(`${bed().ingressUrl}/_tag`);
    assert.equal(echo.headers["x-asm-prefer-tag"] ?? "", "", `got tag ${JSON.stringify(echo.headers["x-asm-prefer-tag"])}, want none`);
  }),
);

test(
  "a client-supplied x-asm-prefer-tag is replaced by the hash result when x-user-id is present",
  e2e(async () => {
    for (const [user, forged] of [
      ["bob", "s2"],
      ["jack", "s1"],
      ["vance", "s3"],
    ] as const) {
      const want = expectedTag(user);
      const echo = await get(`${bed().ingressUrl}/_tag`, { "x-user-id": user, "x-asm-prefer-tag": forged });
      assert.equal(
        echo.headers["x-asm-prefer-tag"],
        want,
        `user ${user} sending ${forged}: got tag ${echo.headers["x-asm-prefer-tag"]}, want ${want}`,
      );
      const r = await ask({ "x-user-id": user, "x-asm-prefer-tag": forged });
      assert.equal(
        r.headers["x-ingress-route"],
        `tag-${want}`,
        `user ${user} sending ${forged}: got route ${r.headers["x-ingress-route"]}, want tag-${want}`,
      );
    }
  }),
);

test(
  "10,000 synthetic ids: each gets the tag FNV-1a predicts, and the split is 20/80 within 2 points",
  e2e(async () => {
    const users = syntheticUsers(10_000);
    const tags = await mapConcurrent(users, 32, (u) => tagOf(bed().ingressUrl, u));
    const wrong = users.filter((u, i) => tags[i] !== expectedTag(u));
    assert.equal(
      wrong.length,
      0,
      `${wrong.length} ids got an unexpected tag, e.g. ${wrong
        .slice(0, 3)
        .map((u) => `${u}: got ${tags[users.indexOf(u)]}, want ${expectedTag(u)}`)
        .join("; ")}`,
    );
    const canaryShare = (100 * tags.filter((t) => t === "s2").length) / users.length;
    assert.ok(Math.abs(canaryShare - 20) <= 2, `got ${canaryShare.toFixed(2)}% on s2, want 20% +- 2`);
  }),
);
