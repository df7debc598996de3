// The reference walk-through across the call chain, with apps that forward only x-user-id (and, for
// baggage mode, W3C baggage as OpenTelemetry does), never the lane tag: the gateway tags, and each
// sidecar's pass-through carries the lane to the next hop. Both modes, through real Envoys.
// Waits on the filter's passThrough block (the sidecars refuse to start without it).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  BAGGAGE_HEADER,
  BAGGAGE_MEMBER,
  NAMED_USERS,
  type PassThroughMode,
  TAG_HEADER,
  USER_HEADER,
  WALKTHROUGH_USERS,
} from "../../scripts/lib/envoy/topology.ts";
import { shippedPluginConfig } from "../support/wasmplugin-config.ts";
import { chainFor, expectedTag, get, mapConcurrent, syntheticUsers, useTestbed } from "./support.ts";

/** The walk-through at range 20 (envoy/README.md, the README's deploy step): who reaches mockc v2 (jason by the named-user route). */
const CANARY = ["jason", "jessie", "jack"];
const BASELINE = ["bob", "stacy", "vance"];

const versionFor = (user: string) => (NAMED_USERS.some((n) => n.user === user) || expectedTag(user) === "s2" ? "v2" : "v1");

test("the walk-through's lanes are the ones FNV-1a and the named-user route give", () => {
  assert.deepEqual([...CANARY, ...BASELINE].sort(), [...WALKTHROUGH_USERS].sort());
  assert.deepEqual(
    WALKTHROUGH_USERS.map(versionFor),
    WALKTHROUGH_USERS.map((u) => (CANARY.includes(u) ? "v2" : "v1")),
  );
});

for (const mode of ["trace-id", "baggage"] as PassThroughMode[]) {
  describe(`${mode} pass-through`, () => {
    // The shipped gateway config: clientTag remove, so a client's own tag never reaches a sidecar.
    const { bed, e2e } = useTestbed({ mode, plugin: { config: shippedPluginConfig() } });
    const ask = async (headers: Record<string, string>) => {
      const r = await get(`${bed().ingressUrl}/`, headers);
      assert.equal(r.status, 200, `${JSON.stringify(headers)}: HTTP ${r.status}: ${r.body}`);
      return r.body.trimEnd();
    };
    const sidecarStat = (instance: string, name: string) =>
      bed()
        .sidecars.find((s) => s.instance === instance)!
        .envoy.stat(`wasmcustom.hash_tagging.pass_through.${name}`);

    test("the app forwards only what the reference's app forwards", () => {
      assert.deepEqual(bed().app.forwardHeaders, mode === "baggage" ? [USER_HEADER, BAGGAGE_HEADER] : [USER_HEADER]);
      assert.ok(!bed().app.forwardHeaders.includes(TAG_HEADER));
    });

    test(
      "walk-through: jason, jessie and jack reach mockc v2; bob, stacy and vance reach v1",
      e2e(async () => {
        const lines: string[] = [];
        for (const user of WALKTHROUGH_USERS) {
          const chain = await ask({ [USER_HEADER]: user });
          lines.push(`${chain}   user ${user} requested`);
          assert.equal(chain, chainFor(CANARY.includes(user) ? "v2" : "v1"), `user ${user}`);
        }
        console.log(
          `# walk-through, ${mode} pass-through, apps forwarding ${bed().app.forwardHeaders.join(" and ")}:\n${lines.map((l) => `#   ${l}`).join("\n")}`,
        );
      }),
    );

    test(
      "every user keeps its chain over 20 repeats, and 300 users each reach the lane the gateway gave them",
      e2e(async () => {
        for (const user of WALKTHROUGH_USERS) {
          const chains = new Set(
            await mapConcurrent(
              Array.from({ length: 20 }, () => user),
              8,
              (u) => ask({ [USER_HEADER]: u }),
            ),
          );
          assert.deepEqual([...chains], [chainFor(versionFor(user))], `user ${user}`);
        }
        const users = syntheticUsers(300, `${mode}-`);
        const chains = await mapConcurrent(users, 16, (u) => ask({ [USER_HEADER]: u }));
        const wrong = users.filter((u, i) => chains[i] !== chainFor(versionFor(u)));
        assert.deepEqual(
          wrong.map((u) => `${u}: ${chains[users.indexOf(u)]}`),
          [],
          "users off the lane the gateway gave them",
        );
      }),
    );

    test(
      "a client cannot pick a lane: a forged tag without a user id, or a forged baggage member, rides the baseline",
      e2e(async () => {
        const forged: Record<string, string>[] = [
          { [TAG_HEADER]: "s2" },
          { [BAGGAGE_HEADER]: `${BAGGAGE_MEMBER}=s2` },
          { [BAGGAGE_HEADER]: `other=1, ${BAGGAGE_MEMBER}=s2;prop=x` },
          { [USER_HEADER]: "bob", [BAGGAGE_HEADER]: `${BAGGAGE_MEMBER}=s2` },
          { [USER_HEADER]: "vance", [TAG_HEADER]: "s2", [BAGGAGE_HEADER]: `${BAGGAGE_MEMBER}=s2` },
        ];
        for (const headers of forged) assert.equal(await ask(headers), chainFor("v1"), JSON.stringify(headers));
        // And a canary user's forged baseline does not pull it out of its lane.
        assert.equal(await ask({ [USER_HEADER]: "jack", [BAGGAGE_HEADER]: `${BAGGAGE_MEMBER}=s1` }), chainFor("v2"));
      }),
    );

    test(
      "mocka's sidecar counts what it restored, and what it could not",
      e2e(async () => {
        const before = { restored: await sidecarStat("mocka-v1", "restored"), none: await sidecarStat("mocka-v1", "none") };
        await ask({ [USER_HEADER]: "jack" });
        await ask({});
        assert.equal((await sidecarStat("mocka-v1", "restored")) - before.restored, 1, "jack's call to mockb got its lane back");
        assert.ok((await sidecarStat("mocka-v1", "none")) > before.none, "the untagged request's call to mockb counted as none");
        if (mode === "trace-id")
          assert.ok((await sidecarStat("mocka-v1", "recorded")) > 0, "inbound requests with a tag and a user id are recorded");
      }),
    );
  });
}
