// The testbed as pods: each instance that calls another has a sidecar Envoy of its own, with an INBOUND
// listener in front of the app and an OUTBOUND one the app calls through. Independent of the
// pass-through: sidecars without the filter lose the lane after the gateway (what the reference's
// apps see on upstream Istio), and sidecars running the gateway's rules re-tag by hash on every hop,
// which loses jason's named-user route: why the lane must be carried, not recomputed.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SIDECAR_INBOUND, SIDECAR_OUTBOUND } from "../../scripts/lib/envoy/sidecar.ts";
import { instanceName, instances, pluginConfig, USER_HEADER, WALKTHROUGH_USERS } from "../../scripts/lib/envoy/topology.ts";
import { chainFor, expectedTag, get, useTestbed } from "./support.ts";

const chainOf = async (ingressUrl: string, user: string) => (await get(`${ingressUrl}/`, { [USER_HEADER]: user })).body.trimEnd();

describe("sidecars without the filter", () => {
  const { bed, e2e } = useTestbed({ sidecarPlugin: null });

  test(
    "one sidecar Envoy per calling instance, its listeners INBOUND and OUTBOUND",
    e2e(async () => {
      const callers = instances()
        .filter((i) => i.upstream)
        .map(instanceName);
      assert.deepEqual(
        bed()
          .sidecars.map((s) => s.instance)
          .sort(),
        callers.sort(),
      );
      assert.equal(new Set(bed().sidecars.map((s) => s.envoy.pid)).size, callers.length, "an Envoy process each");
      for (const s of bed().sidecars) {
        const dump = JSON.parse(await s.envoy.admin("/config_dump?resource=static_listeners")) as {
          configs: { listener: { name: string; traffic_direction?: string } }[];
        };
        const direction = Object.fromEntries(dump.configs.map((c) => [c.listener.name, c.listener.traffic_direction]));
        assert.deepEqual(direction, { [SIDECAR_INBOUND]: "INBOUND", [SIDECAR_OUTBOUND]: "OUTBOUND" }, s.instance);
      }
    }),
  );

  test(
    "every hop passes through the sidecars: the caller's outbound, the callee's inbound",
    e2e(async () => {
      const count = async () =>
        Promise.all(
          bed().sidecars.map(async (s) => [
            await s.envoy.stat(`http.${SIDECAR_INBOUND}.downstream_rq_total`),
            await s.envoy.stat(`http.${SIDECAR_OUTBOUND}.downstream_rq_total`),
          ]),
        );
      const before = await count();
      assert.equal(await chainOf(bed().ingressUrl, "bob"), chainFor("v1"));
      const after = await count();
      assert.deepEqual(
        after.map((pair, i) => pair.map((n, j) => n - before[i][j])),
        bed().sidecars.map(() => [1, 1]),
      );
    }),
  );

  test(
    "the lane is lost after the gateway: apps forward only x-user-id",
    e2e(async () => {
      for (const user of WALKTHROUGH_USERS) assert.equal(await chainOf(bed().ingressUrl, user), chainFor("v1"), user);
    }),
  );
});

describe("sidecars re-tagging by hash (the gateway's rules on every hop)", () => {
  const { bed, e2e } = useTestbed({ sidecarPlugin: { config: pluginConfig() } });

  test(
    "users follow their hash to mockc, but jason's named-user route is lost after the gateway",
    e2e(async () => {
      for (const user of WALKTHROUGH_USERS) {
        assert.equal(await chainOf(bed().ingressUrl, user), chainFor(expectedTag(user) === "s2" ? "v2" : "v1"), user);
      }
      assert.equal(expectedTag("jason"), "s1", "jason's own hash gives s1");
    }),
  );
});
