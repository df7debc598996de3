// The pass-through's trace-id mode under sustained traffic, in a real 2-worker sidecar pod
// (tests/support/sidecar-pod.ts): chains of inbound listener -> app (forwarding only x-user-id) ->
// outbound listener. Its slots bound the memory whatever the number of trace values, and a lane is
// lost only when users in flight took both its slots: about (2k / slots)² of the chains, k in flight.
import assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import { it } from "node:test";
import { withEnvoyLog } from "../envoy/support.ts";
import { REFERENCE_CONFIG } from "../support/configs.ts";
import { referenceTag } from "../support/fnv1a.ts";
import { type Pod, type PodOptions, passThroughCounter, ROUTE, startPod, TRACE } from "../support/sidecar-pod.ts";
import { BrokenChains, type Chain, runChains } from "./chains.ts";

const COUNTERS = ["recorded", "restored", "kept", "expired", "collided", "fallback", "none", "too_long"] as const;
type Counters = Record<(typeof COUNTERS)[number], number>;

const MILLION_CHAINS = 1_000_000;
const MILLION_CONCURRENCY = 32;
const WARM_UP_CHAINS = 100_000;
const RSS_SAMPLE_EVERY = 100_000;
// Resident memory after warm-up may move by allocator noise, never by a leak's steady growth.
const MAX_RSS_GROWTH_MIB = 4;
const DEFAULT_SLOTS = 8192;

const RANDOM_CHAINS = 200_000;
const RANDOM_CONCURRENCY = 16;
const MAX_SLOTS = 1_048_576;

const OVER_CAPACITY_CHAINS = 5_000;
const OVER_CAPACITY_SLOTS = 64;

async function withPod(o: Omit<PodOptions, "forwardHeaders">, body: (pod: Pod) => Promise<void>): Promise<void> {
  const pod = await startPod({ ...o, forwardHeaders: [TRACE], logLevel: "warn" });
  try {
    await withEnvoyLog(
      () => pod.envoy,
      () => body(pod),
    )();
  } finally {
    await pod.stop();
  }
}

async function counters(pod: Pod): Promise<Counters> {
  const values = await Promise.all(COUNTERS.map((name) => passThroughCounter(pod.envoy, name)));
  return Object.fromEntries(COUNTERS.map((name, i) => [name, values[i]])) as Counters;
}

/** The chains expected to lose their lane: (2k / slots)² of them, k in flight. */
const predictedMisses = (chains: number, inFlight: number, slots: number) => chains * ((2 * inFlight) / slots) ** 2;

const otherLane = (lane: string) => (lane === "s2" ? "s1" : "s2");

it(`${MILLION_CHAINS.toLocaleString("en-US")} distinct trace values through ${DEFAULT_SLOTS} slots: every chain on its lane, Envoy's memory flat`, () =>
  withPod({ config: { passThrough: { routeHeader: ROUTE, traceHeader: TRACE }, rules: REFERENCE_CONFIG.rules } }, async (pod) => {
    // The gateway's lane is the reference rules' own: a chain whose lane was lost falls back to the same one.
    const chainAt = (i: number): Chain => {
      const trace = `trace-${i.toString(36)}`;
      return { trace, lane: referenceTag(trace) };
    };
    const broken = new BrokenChains();
    const rss: { chains: number; mib: number }[] = [];
    const seconds = await runChains({
      inboundUrl: pod.inboundUrl,
      count: MILLION_CHAINS,
      concurrency: MILLION_CONCURRENCY,
      chainAt,
      onEnd: (chain, end) => broken.check(chain, end, chain.lane),
      progressEvery: RSS_SAMPLE_EVERY,
      onProgress: (chains) => rss.push({ chains, mib: Number(pod.envoy.rssMiB().toFixed(1)) }),
    });
    const got = await counters(pod);
    const afterWarmUp = rss.find((s) => s.chains === WARM_UP_CHAINS)?.mib ?? Number.NaN;
    const peakAfterWarmUp = Math.max(...rss.filter((s) => s.chains >= WARM_UP_CHAINS).map((s) => s.mib));
    const predicted = predictedMisses(MILLION_CHAINS, MILLION_CONCURRENCY, DEFAULT_SLOTS);
    console.log(
      `sidecar soak, 1M trace values: ${JSON.stringify({ chains: MILLION_CHAINS, concurrency: MILLION_CONCURRENCY, slots: DEFAULT_SLOTS, seconds, chainsPerSecond: Math.round(MILLION_CHAINS / seconds), broken: broken.count, ...got, predictedCollided: Number(predicted.toFixed(1)), rssMiB: rss })}`,
    );
    assert.equal(broken.count, 0, broken.toString());
    assert.equal(got.recorded, MILLION_CHAINS, "every inbound request's lane recorded");
    assert.equal(got.restored + got.collided, MILLION_CHAINS, "every outbound call restored or seen collided");
    assert.equal(got.fallback, got.collided, "only the collided calls fell back to the rules");
    assert.deepEqual([got.expired, got.none, got.too_long, got.kept], [0, 0, 0, 0]);
    // k in flight is at most the concurrency. Were a lane written to one slot only, about 2k / slots of the
    // chains would miss: over a hundred times as many.
    assert.ok(got.collided <= 4 * predicted, `${got.collided} chains collided, (2k / slots)² predicts ${predicted.toFixed(1)}`);
    assert.ok(
      peakAfterWarmUp - afterWarmUp <= MAX_RSS_GROWTH_MIB,
      `Envoy RSS grew from ${afterWarmUp} MiB after ${WARM_UP_CHAINS.toLocaleString("en-US")} chains to ${peakAfterWarmUp} MiB: ${JSON.stringify(rss)}`,
    );
  }));

it(`${RANDOM_CHAINS.toLocaleString("en-US")} random users on random lanes, ${RANDOM_CONCURRENCY} in flight, ${MAX_SLOTS.toLocaleString("en-US")} slots, no rules: no chain broken`, () =>
  withPod({ config: { passThrough: { routeHeader: ROUTE, traceHeader: TRACE, slots: MAX_SLOTS } } }, async (pod) => {
    const chainAt = (): Chain => ({ trace: randomBytes(8).toString("hex"), lane: randomInt(2) === 1 ? "s2" : "s1" });
    const broken = new BrokenChains();
    const lanes = { s1: 0, s2: 0 };
    const seconds = await runChains({
      inboundUrl: pod.inboundUrl,
      count: RANDOM_CHAINS,
      concurrency: RANDOM_CONCURRENCY,
      chainAt,
      onEnd: (chain, end) => {
        lanes[chain.lane as keyof typeof lanes]++;
        broken.check(chain, end, chain.lane);
      },
    });
    const got = await counters(pod);
    const workers = await Promise.all(
      ["inbound", "outbound"].flatMap((side) =>
        [0, 1].map(async (worker) => ({
          side,
          worker,
          connections: await pod.envoy.stat(`listener.${side}.worker_${worker}.downstream_cx_total`),
        })),
      ),
    );
    const predicted = predictedMisses(RANDOM_CHAINS, RANDOM_CONCURRENCY, MAX_SLOTS);
    console.log(
      `sidecar soak, random users: ${JSON.stringify({ chains: RANDOM_CHAINS, concurrency: RANDOM_CONCURRENCY, slots: MAX_SLOTS, seconds, broken: broken.count, lanes, ...got, predictedCollided: predicted, rssMiB: pod.envoy.rssMiB() })}`,
    );
    assert.equal(broken.count, 0, broken.toString());
    assert.deepEqual([got.recorded, got.restored, got.collided], [RANDOM_CHAINS, RANDOM_CHAINS, 0]);
    assert.deepEqual([got.expired, got.fallback, got.none, got.too_long, got.kept], [0, 0, 0, 0, 0]);
    // Lanes recorded on one worker were restored on the other only if both took connections on both sides.
    for (const w of workers) assert.ok(w.connections > 0, `${w.side} worker_${w.worker} took no connection`);
  }));

it(`above capacity (${OVER_CAPACITY_SLOTS} slots, ${RANDOM_CONCURRENCY} in flight): collided chains fall back to the rules' lane`, () =>
  withPod(
    { config: { passThrough: { routeHeader: ROUTE, traceHeader: TRACE, slots: OVER_CAPACITY_SLOTS }, rules: REFERENCE_CONFIG.rules } },
    async (pod) => {
      // Each inbound lane is the one the rules do not give, so the lane a chain ends on tells who decided it.
      const chainAt = (): Chain => {
        const trace = randomBytes(8).toString("hex");
        return { trace, lane: otherLane(referenceTag(trace)) };
      };
      const ended = { onItsLane: 0, onTheRulesLane: 0 };
      const broken = new BrokenChains();
      await runChains({
        inboundUrl: pod.inboundUrl,
        count: OVER_CAPACITY_CHAINS,
        concurrency: RANDOM_CONCURRENCY,
        chainAt,
        onEnd: (chain, end) => {
          if ("lane" in end && end.lane === chain.lane) ended.onItsLane++;
          else if ("lane" in end && end.lane === referenceTag(chain.trace)) ended.onTheRulesLane++;
          else broken.check(chain, end, chain.lane);
        },
      });
      const got = await counters(pod);
      console.log(
        `sidecar soak, above capacity: ${JSON.stringify({ chains: OVER_CAPACITY_CHAINS, concurrency: RANDOM_CONCURRENCY, slots: OVER_CAPACITY_SLOTS, ...ended, ...got, predictedCollided: Number(predictedMisses(OVER_CAPACITY_CHAINS, RANDOM_CONCURRENCY, OVER_CAPACITY_SLOTS).toFixed(1)) })}`,
      );
      assert.equal(broken.count, 0, broken.toString());
      assert.equal(got.recorded, OVER_CAPACITY_CHAINS);
      assert.ok(got.collided > 0, "no chain collided: the slots were not over capacity");
      assert.equal(got.fallback, got.collided, "every collided call, and only those, fell back to the rules");
      assert.equal(ended.onTheRulesLane, got.collided, "chains on the rules' lane");
      assert.equal(ended.onItsLane, got.restored, "chains on the lane they came with");
      assert.equal(got.restored + got.collided, OVER_CAPACITY_CHAINS);
    },
  ));
