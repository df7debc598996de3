// The sidecar pass-through through the ABI: two hosts share one shared-data map, as an Envoy's two
// workers do, so a lane recorded on one is restored on the other. Slots are computed here with the
// independent FNV-1a and fmix32 of tests/support/fnv1a.ts, never with the filter's code.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  HeaderMap,
  listenerDirection,
  loadPlugin,
  ManualClock,
  type PluginHost,
  SharedData,
  TrafficDirection,
} from "../../scripts/lib/host/index.ts";
import { REFERENCE_CONFIG } from "../support/configs.ts";
import { referenceTag, traceSlots } from "../support/fnv1a.ts";
import { sized } from "../support/tier.ts";

const ROUTE = "x-asm-prefer-tag";
const TRACE = "x-user-id";
const PREFIX = "hash_tagging.pass_through.";
const TRACE_MODE = { routeHeader: ROUTE, traceHeader: TRACE };
const BAGGAGE_MODE = { routeHeader: ROUTE, baggage: "lane" };
const INBOUND = listenerDirection(TrafficDirection.Inbound);
const OUTBOUND = listenerDirection(TrafficDirection.Outbound);

interface Sidecar {
  workers: PluginHost[];
  shared: SharedData;
  clock: ManualClock;
  /** A request the app receives, on worker `worker`: the headers the app gets. */
  inbound(headers: Array<[string, string]>, worker?: number): HeaderMap;
  /** A request the app sends: the headers the next hop gets. */
  outbound(headers: Array<[string, string]>, worker?: number): HeaderMap;
  /** A pass-through counter, summed over the workers. */
  counter(name: string): number;
}

async function sidecar(config: object, workers = 2): Promise<Sidecar> {
  const shared = new SharedData();
  const clock = new ManualClock();
  const hosts: PluginHost[] = [];
  for (let i = 0; i < workers; i++) {
    const host = await loadPlugin(undefined, { sharedData: shared, clock });
    const { accepted, logs } = host.configure(JSON.stringify(config));
    assert.equal(accepted, true, JSON.stringify(logs));
    hosts.push(host);
  }
  return {
    workers: hosts,
    shared,
    clock,
    inbound: (headers, worker = 0) => hosts[worker].request(headers, { properties: INBOUND }).headers,
    outbound: (headers, worker = 1 % workers) => hosts[worker].request(headers, { properties: OUTBOUND }).headers,
    counter: (name) => hosts.reduce((sum, h) => sum + (h.counters.get(PREFIX + name) ?? 0), 0),
  };
}

const slotsOf = traceSlots;

/** The first user-N past user-0 whose two slots among `slots` pass `wanted`. */
function userWhose(slots: number, wanted: (first: number, second: number) => boolean): string {
  for (let i = 1; ; i++) if (wanted(...slotsOf(`user-${i}`, slots))) return `user-${i}`;
}

describe("trace-id mode", () => {
  it("records the lane inbound on one worker and restores it outbound on the other", async () => {
    const s = await sidecar({ passThrough: TRACE_MODE });
    const app = s.inbound([
      [TRACE, "jason"],
      [ROUTE, "s2"],
    ]);
    assert.equal(app.getText(ROUTE), "s2");
    assert.equal(s.counter("recorded"), 1);
    const key = (slot: number) => `hash-tagging.lanes.${ROUTE}.${TRACE}.${slot}`;
    assert.deepEqual(s.shared.keys, slotsOf("jason", 8192).map(key), "both of jason's slots");
    const next = s.outbound([[TRACE, "jason"]], 1);
    assert.equal(next.getText(ROUTE), "s2");
    assert.equal(s.counter("restored"), 1);
    assert.equal(s.outbound([[TRACE, "bob"]]).getText(ROUTE), undefined, "bob was never recorded");
    assert.equal(s.counter("none"), 1);
  });

  it("keeps a route header the app forwarded, and a newer lane replaces an older one", async () => {
    const s = await sidecar({ passThrough: TRACE_MODE });
    s.inbound([
      [TRACE, "jason"],
      [ROUTE, "s2"],
    ]);
    assert.equal(
      s
        .outbound([
          [TRACE, "jason"],
          [ROUTE, "s1"],
        ])
        .getAll(ROUTE)
        .join(),
      "s1",
    );
    assert.equal(s.counter("kept"), 1);
    s.inbound(
      [
        [TRACE, "jason"],
        [ROUTE, "s1"],
      ],
      1,
    );
    assert.equal(s.outbound([[TRACE, "jason"]], 0).getText(ROUTE), "s1");
  });

  it("forgets a lane once ttlSeconds have passed", async () => {
    const s = await sidecar({ passThrough: { ...TRACE_MODE, ttlSeconds: 60 } });
    s.inbound([
      [TRACE, "jason"],
      [ROUTE, "s2"],
    ]);
    s.clock.advanceSeconds(59.9);
    assert.equal(s.outbound([[TRACE, "jason"]]).getText(ROUTE), "s2");
    s.clock.advanceSeconds(0.1);
    assert.equal(s.outbound([[TRACE, "jason"]]).getText(ROUTE), undefined);
    assert.equal(s.counter("expired"), 1);
    assert.equal(s.counter("none"), 1);
    // Recording again starts a new ttl.
    s.inbound([
      [TRACE, "jason"],
      [ROUTE, "s2"],
    ]);
    assert.equal(s.outbound([[TRACE, "jason"]]).getText(ROUTE), "s2");
  });

  it("never gives one trace value another's tag when both land in one slot", async () => {
    const slots = 64;
    const first = "user-0";
    const [a, b] = slotsOf(first, slots);
    const second = userWhose(slots, (x, y) => x === a && y !== b);
    const s = await sidecar({ passThrough: { ...TRACE_MODE, slots } });
    s.inbound([
      [TRACE, first],
      [ROUTE, "s2"],
    ]);
    assert.equal(s.outbound([[TRACE, second]]).getText(ROUTE), undefined, `${second} must not get ${first}'s s2`);
    assert.equal(s.counter("collided"), 1);
    s.inbound([
      [TRACE, second],
      [ROUTE, "s1"],
    ]);
    assert.equal(s.outbound([[TRACE, second]]).getText(ROUTE), "s1");
    assert.equal(s.outbound([[TRACE, first]]).getText(ROUTE), "s2", `${first}'s lane lives on in its second slot`);
    assert.equal(s.counter("collided"), 1);
  });

  it("loses a lane in flight only when other trace values took both of its slots", async () => {
    const slots = 64;
    const user = "user-0";
    const [a, b] = slotsOf(user, slots);
    const takesFirst = userWhose(slots, (x, y) => x === a && y !== b);
    const takesSecond = userWhose(slots, (x, y) => x === b && y !== a);
    const s = await sidecar({ passThrough: { ...TRACE_MODE, slots } });
    const inbound = (trace: string, lane: string) =>
      s.inbound([
        [TRACE, trace],
        [ROUTE, lane],
      ]);
    inbound(user, "s2");
    inbound(takesFirst, "s1");
    assert.equal(s.outbound([[TRACE, user]]).getText(ROUTE), "s2", `${takesFirst} took slot ${a} only`);
    inbound(takesSecond, "s1");
    assert.equal(s.outbound([[TRACE, user]]).getText(ROUTE), undefined, `${takesSecond} took slot ${b} too`);
    assert.equal(s.counter("collided"), 1);
    assert.equal(s.outbound([[TRACE, takesFirst]]).getText(ROUTE), "s1");
    assert.equal(s.outbound([[TRACE, takesSecond]]).getText(ROUTE), "s1");
  });

  it("forgets a trace value's lane when its next inbound request carries none", async () => {
    const s = await sidecar({ passThrough: TRACE_MODE });
    s.inbound([
      [TRACE, "jason"],
      [ROUTE, "s2"],
    ]);
    assert.equal(s.outbound([[TRACE, "jason"]]).getText(ROUTE), "s2");
    // The gateway stopped tagging (a rollback, the plugin removed): jason's next calls ride the baseline.
    const app = s.inbound([[TRACE, "jason"]]);
    assert.equal(app.getText(ROUTE), undefined);
    assert.equal(s.outbound([[TRACE, "jason"]]).getText(ROUTE), undefined);
    assert.equal(s.counter("expired"), 1);
    assert.equal(s.counter("none"), 2, "the untagged inbound request and the call it made");
    assert.equal(s.shared.size, 2, "no new slot: both of jason's were overwritten");
    s.inbound([
      [TRACE, "jason"],
      [ROUTE, "s1"],
    ]);
    assert.equal(s.outbound([[TRACE, "jason"]]).getText(ROUTE), "s1");
    // A trace value too long to record is too long to forget: nothing is written.
    s.inbound([[TRACE, "u".repeat(257)]]);
    assert.equal(s.shared.size, 2);
  });

  it("falls back to the rules when nothing is restored, exactly as at the gateway", async () => {
    const s = await sidecar({ passThrough: TRACE_MODE, rules: REFERENCE_CONFIG.rules });
    const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    for (const user of users) assert.equal(s.outbound([[TRACE, user]]).getText(ROUTE), referenceTag(user), user);
    assert.equal(s.counter("fallback"), 200);
    // A recorded lane wins over the rules' answer.
    const other = referenceTag("jason") === "s2" ? "s1" : "s2";
    s.inbound([
      [TRACE, "jason"],
      [ROUTE, other],
    ]);
    assert.equal(s.outbound([[TRACE, "jason"]]).getText(ROUTE), other);
  });

  it("records no trace value or tag over 256 bytes", async () => {
    const s = await sidecar({ passThrough: TRACE_MODE });
    s.inbound([
      [TRACE, "u".repeat(257)],
      [ROUTE, "s2"],
    ]);
    s.inbound([
      [TRACE, "jason"],
      [ROUTE, "t".repeat(257)],
    ]);
    assert.equal(s.shared.size, 0);
    assert.equal(s.counter("too_long"), 2);
    s.inbound([
      [TRACE, "u".repeat(256)],
      [ROUTE, "t".repeat(256)],
    ]);
    assert.equal(s.outbound([[TRACE, "u".repeat(256)]]).getText(ROUTE), "t".repeat(256));
  });

  it("lets no client pick a lane: a forged tag without a trace value records nothing, and the chain rides the baseline", async () => {
    const s = await sidecar({ passThrough: TRACE_MODE });
    s.inbound([[ROUTE, "s2"]]);
    assert.equal(s.shared.size, 0);
    // The app forwards only x-user-id: a request without one carries nothing on.
    assert.equal(s.outbound([]).getText(ROUTE), undefined);
    assert.equal(s.counter("none"), 1);
  });

  it("tells inbound from outbound by the listener direction, or by the config", async () => {
    const auto = await sidecar({ passThrough: TRACE_MODE }, 1);
    const host = auto.workers[0];
    host.request([
      [TRACE, "jason"],
      [ROUTE, "s2"],
    ]);
    assert.equal(auto.shared.size, 0, "no direction property: treated as outbound, nothing recorded");
    const fixed = await sidecar({ passThrough: { ...TRACE_MODE, direction: "inbound" } }, 1);
    fixed.workers[0].request(
      [
        [TRACE, "jason"],
        [ROUTE, "s2"],
      ],
      { properties: OUTBOUND },
    );
    assert.equal(fixed.shared.size, 2, "direction inbound records whatever the listener says");
  });

  // 1,000,000 in CI; `npm test` runs 200,000 (warm-up: the first tenth either way).
  const traceValues = sized(200_000, 1_000_000);
  it(`keeps memory flat over ${traceValues.toLocaleString("en-US")} distinct trace values: at most \`slots\` entries of bounded size`, async () => {
    const slots = 8192;
    const warmUp = traceValues / 10;
    const s = await sidecar({ passThrough: { ...TRACE_MODE, slots } });
    const chains = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const lane = i % 2 ? "s1" : "s2";
        s.inbound(
          [
            [TRACE, `trace-${i}`],
            [ROUTE, lane],
          ],
          0,
        );
        assert.equal(s.outbound([[TRACE, `trace-${i}`]], 1).getText(ROUTE), lane);
      }
    };
    chains(0, warmUp);
    const warm = s.workers.map((w) => w.memoryBytes);
    const warmShared = s.shared.bytes;
    chains(warmUp, traceValues);
    assert.deepEqual(
      s.workers.map((w) => w.memoryBytes),
      warm,
      "module memory grew",
    );
    assert.equal(s.shared.size, slots);
    // Every value has the same layout; trace values grow by at most 2 bytes past the warm-up.
    assert.ok(s.shared.bytes <= warmShared + 2 * slots, `shared data grew from ${warmShared} to ${s.shared.bytes} bytes`);
    assert.equal(s.counter("recorded"), traceValues);
    assert.equal(s.counter("restored"), traceValues);
  });
});

describe("baggage mode", () => {
  it("writes the lane into the baggage the app receives, keeping every other member and its properties", async () => {
    const s = await sidecar({ passThrough: BAGGAGE_MODE });
    const app = s.inbound([
      [ROUTE, "s2"],
      ["baggage", "a=1;p1;p2=x, lane=forged;q"],
      ["baggage", "b=%20"],
    ]);
    assert.deepEqual(app.getAll("baggage"), ["lane=s2,a=1;p1;p2=x,b=%20"]);
    assert.equal(s.counter("recorded"), 1);
    assert.deepEqual(s.inbound([[ROUTE, "s 2"]]).getAll("baggage"), ["lane=s%202"]);
    const untouched = new HeaderMap([
      [ROUTE, "s2"],
      ["baggage", "lane=s2,a=1"],
    ]);
    s.workers[0].importCalls.clear();
    s.workers[0].request(untouched, { properties: INBOUND });
    assert.deepEqual(untouched.getAll("baggage"), ["lane=s2,a=1"]);
    assert.equal(s.workers[0].importCalls.get("proxy_replace_header_map_value"), undefined, "an unchanged baggage is not written");
  });

  it("removes a client's lane member when the request has no route header", async () => {
    const s = await sidecar({ passThrough: BAGGAGE_MODE });
    assert.deepEqual(s.inbound([["baggage", "a=1, lane=s2"]]).getAll("baggage"), ["a=1"]);
    assert.deepEqual(s.inbound([["baggage", "lane=s2"]]).getAll("baggage"), []);
    assert.equal(s.counter("none"), 2);
  });

  it("restores the route header from the member outbound, percent-decoded", async () => {
    const s = await sidecar({ passThrough: BAGGAGE_MODE });
    assert.equal(
      s
        .outbound([
          ["baggage", "a=1"],
          ["baggage", "lane = s%202 ;p"],
        ])
        .getText(ROUTE),
      "s 2",
    );
    assert.equal(s.counter("restored"), 1);
    assert.equal(
      s
        .outbound([
          ["baggage", "lane=s2"],
          [ROUTE, "s1"],
        ])
        .getText(ROUTE),
      "s1",
    );
    assert.equal(s.outbound([["baggage", "lane=%0d%0ax-evil:1"]]).getText(ROUTE), undefined);
    assert.equal(s.outbound([["baggage", "a=1"]]).getText(ROUTE), undefined);
    assert.equal(s.counter("none"), 2);
  });

  it("carries the lane end to end, and a forged member rides the baseline", async () => {
    const s = await sidecar({ passThrough: BAGGAGE_MODE });
    const app = s.inbound([
      [ROUTE, "s2"],
      ["baggage", "k=v"],
    ]);
    assert.equal(s.outbound([["baggage", app.getText("baggage")!]]).getText(ROUTE), "s2");
    const forged = s.inbound([["baggage", "k=v,lane=s2"]]);
    assert.equal(s.outbound([["baggage", forged.getText("baggage")!]]).getText(ROUTE), undefined);
  });
});
