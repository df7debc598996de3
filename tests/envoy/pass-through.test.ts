// The pass-through in real Envoy, shaped as a pod's sidecar (tests/support/sidecar-pod.ts): 2 workers
// that share only Envoy's shared data. The app forwards only x-user-id (and, in baggage mode,
// `baggage`), never the tag: the outbound listener routes by the tag, so the lane shows in the reply.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { REFERENCE_CONFIG } from "../support/configs.ts";
import { traceSlots } from "../support/fnv1a.ts";
import { laneOfVersion, mockcOf, type Pod, passThroughCounter, ROUTE, startPod, TRACE } from "../support/sidecar-pod.ts";
import { closeClients, expectedTag, get, mapConcurrent, syntheticUsers, withEnvoyLog } from "./support.ts";

/**
 * `n` users in pairs that share their first slot (of the default 8192) but not their second, by the
 * independent FNV-1a and fmix32, and no slot with any other pair. Each pair is sent together, so one's
 * record lands on the other's first slot while the other's chain is in flight: its lane lives on in its
 * second slot, which no other user of the run writes.
 */
function usersSharingFirstSlots(n: number, prefix: string): string[] {
  const byFirst = new Map<number, string>();
  const taken = new Set<number>();
  const users: string[] = [];
  for (let i = 0; users.length < n; i++) {
    const user = `${prefix}${i}`;
    const [first, second] = traceSlots(user, 8192);
    const mate = byFirst.get(first);
    if (mate !== undefined) {
      const mateSecond = traceSlots(mate, 8192)[1];
      const slots = [first, second, mateSecond];
      if (mateSecond !== second && !slots.some((slot) => taken.has(slot))) {
        users.push(mate, user);
        for (const slot of slots) taken.add(slot);
        byFirst.delete(first);
        continue;
      }
    }
    byFirst.set(first, user);
  }
  return users;
}

function usePod(config: object, forwardHeaders: string[]): { pod: () => Pod; e2e: (body: () => Promise<void>) => () => Promise<void> } {
  let pod: Pod | undefined;
  before(async () => {
    pod = await startPod({ config, forwardHeaders });
  });
  after(async () => {
    await pod?.stop();
    closeClients();
  });
  return {
    pod: () => {
      if (!pod) throw new Error("the pod did not start (see the before hook's error)");
      return pod;
    },
    e2e: (body) => withEnvoyLog(() => pod?.envoy, body),
  };
}

describe("trace-id mode, app forwarding only x-user-id", () => {
  const { pod, e2e } = usePod({ passThrough: { routeHeader: ROUTE, traceHeader: TRACE } }, [TRACE]);

  it(
    "restores the lane the gateway gave on the app's outbound call, across 2 workers, for users sharing a slot",
    e2e(async () => {
      const users = usersSharingFirstSlots(400, "chain-");
      // Each pair's two users ride different lanes: a lane taken from the other would show.
      const lanes = users.map((_, i) => (i % 2 === 0 ? "s2" : "s1"));
      const replies = await mapConcurrent(
        users.map((user, i) => ({ user, lane: lanes[i] })),
        16,
        ({ user, lane }) => get(pod().inboundUrl, { [TRACE]: user, [ROUTE]: lane }),
      );
      const broken = replies
        .map((r, i) =>
          r.status === 200 && laneOfVersion(mockcOf(r.body)) === lanes[i]
            ? null
            : `${users[i]}: want ${lanes[i]}, got ${r.status} ${r.body.trim()}`,
        )
        .filter(Boolean);
      assert.deepEqual(broken, [], `${broken.length} of ${users.length} chains broke`);
      assert.equal(await passThroughCounter(pod().envoy, "recorded"), users.length);
      assert.equal(await passThroughCounter(pod().envoy, "restored"), users.length);
      // Both workers took connections on both sides, so lanes recorded on one were restored on the other.
      for (const side of ["inbound", "outbound"]) {
        for (const worker of [0, 1]) {
          const connections = await pod().envoy.stat(`listener.${side}.worker_${worker}.downstream_cx_total`);
          assert.ok(connections > 0, `${side} worker_${worker} took no connection`);
        }
      }
    }),
  );

  it(
    "sends a request without the gateway's tag, or a forged tag without a user id, down the baseline",
    e2e(async () => {
      const before = await passThroughCounter(pod().envoy, "none");
      assert.equal(mockcOf((await get(pod().inboundUrl, { [TRACE]: "never-tagged" })).body), "v1");
      assert.equal(mockcOf((await get(pod().inboundUrl, { [ROUTE]: "s2" })).body), "v1");
      // No lane on both hops of the first chain, and on the outbound hop of the second.
      assert.equal(await passThroughCounter(pod().envoy, "none"), before + 3);
    }),
  );

  it(
    "forgets a user's lane as soon as a request of theirs comes without the tag",
    e2e(async () => {
      const lane = (headers: Record<string, string>) => get(pod().inboundUrl, headers).then((r) => mockcOf(r.body));
      assert.equal(await lane({ [TRACE]: "rolled-back", [ROUTE]: "s2" }), "v2");
      const expired = await passThroughCounter(pod().envoy, "expired");
      assert.equal(await lane({ [TRACE]: "rolled-back" }), "v1", "the recorded s2 outlived the untagged request");
      assert.equal(await passThroughCounter(pod().envoy, "expired"), expired + 1);
      assert.equal(await lane({ [TRACE]: "rolled-back", [ROUTE]: "s2" }), "v2", "recorded again");
    }),
  );
});

describe("trace-id mode with rules as the fallback", () => {
  const { pod, e2e } = usePod({ passThrough: { routeHeader: ROUTE, traceHeader: TRACE }, rules: REFERENCE_CONFIG.rules }, [TRACE]);

  it(
    "lets the rules tag a call whose lane was never recorded, as at the gateway",
    e2e(async () => {
      const users = syntheticUsers(100, "fallback-");
      const replies = await mapConcurrent(users, 8, (user) => get(pod().inboundUrl, { [TRACE]: user }));
      replies.forEach((r, i) => assert.equal(laneOfVersion(mockcOf(r.body)), expectedTag(users[i]), users[i]));
      // Both hops of each chain: the app's inbound request had no tag either.
      assert.equal(await passThroughCounter(pod().envoy, "fallback"), 2 * users.length);
    }),
  );
});

describe("baggage mode, app forwarding x-user-id and baggage", () => {
  const { pod, e2e } = usePod({ passThrough: { routeHeader: ROUTE, baggage: "lane" } }, [TRACE, "baggage"]);

  it(
    "carries the lane through the app in baggage, and ignores a client's own member",
    e2e(async () => {
      assert.equal(mockcOf((await get(pod().inboundUrl, { [TRACE]: "jason", [ROUTE]: "s2", baggage: "k=v" })).body), "v2");
      assert.equal(mockcOf((await get(pod().inboundUrl, { [TRACE]: "bob", [ROUTE]: "s1" })).body), "v1");
      assert.equal(mockcOf((await get(pod().inboundUrl, { [TRACE]: "forger", baggage: "lane=s2" })).body), "v1");
      assert.equal(await passThroughCounter(pod().envoy, "recorded"), 2);
      assert.equal(await passThroughCounter(pod().envoy, "restored"), 2);
    }),
  );
});
