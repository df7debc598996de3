// The pass-through in real Envoy, shaped as a pod's sidecar: an INBOUND listener in front of the app
// and an OUTBOUND listener the app calls out through, both running the filter with one pass-through
// config (direction auto: Envoy's per-request listener direction), on 2 workers that share only
// Envoy's shared data. The app forwards only x-user-id (and, in baggage mode, `baggage`), never the
// tag: the outbound listener routes by the tag, so the lane shows in the reply.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type MockService, startMockService } from "../../envoy/app/mock-service.ts";
import { httpListener, wasmFilterConfig } from "../../scripts/lib/envoy/bootstrap.ts";
import { EnvoyProcess } from "../../scripts/lib/envoy/process.ts";
import { REFERENCE_CONFIG } from "../support/configs.ts";
import { traceSlots } from "../support/fnv1a.ts";
import { closeClients, envoyForTests, expectedTag, get, mapConcurrent, PLUGIN_WASM, syntheticUsers, withEnvoyLog } from "./support.ts";

const ROUTE = "x-asm-prefer-tag";
const TRACE = "x-user-id";
const LOOPBACK = "127.0.0.1";

/** What the next hop answers for each lane: the lane the outbound request was routed by. */
function laneRoutes(): object[] {
  const answer = (body: string) => ({ direct_response: { status: 200, body: { inline_string: body } } });
  return [
    { match: { prefix: "/", headers: [{ name: ROUTE, string_match: { exact: "s2" } }] }, ...answer("-> mockc(version: v2)") },
    { match: { prefix: "/" }, ...answer("-> mockc(version: v1)") },
  ];
}

function sidecarBootstrap(appPort: number, config: object): object {
  const filter = { name: "hash-tagging", typed_config: wasmFilterConfig(PLUGIN_WASM, config) };
  return {
    admin: { address: { socket_address: { address: LOOPBACK, port_value: 0 } } },
    static_resources: {
      listeners: [
        {
          ...httpListener({
            name: "inbound",
            bind: LOOPBACK,
            port: 0,
            filters: [filter],
            routeConfig: {
              virtual_hosts: [{ name: "app", domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: "app" } }] }],
            },
          }),
          traffic_direction: "INBOUND",
          stat_prefix: "inbound",
        },
        {
          ...httpListener({
            name: "outbound",
            bind: LOOPBACK,
            port: 0,
            filters: [filter],
            routeConfig: { virtual_hosts: [{ name: "mockc", domains: ["*"], routes: laneRoutes() }] },
          }),
          traffic_direction: "OUTBOUND",
          stat_prefix: "outbound",
        },
      ],
      clusters: [
        {
          name: "app",
          type: "STATIC",
          connect_timeout: "1s",
          load_assignment: {
            cluster_name: "app",
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: LOOPBACK, port_value: appPort } } } }] }],
          },
        },
      ],
    },
  };
}

interface Pod {
  envoy: EnvoyProcess;
  inboundUrl: string;
  stop(): Promise<void>;
}

/** The app (mockb, calling mockc through its sidecar) and its sidecar Envoy with 2 workers. */
async function startPod(config: object, forwardHeaders: string[]): Promise<Pod> {
  const envoyBin = (await envoyForTests()).bin;
  let outbound: string | undefined;
  const app: MockService = await startMockService({
    app: "mockb",
    version: "v1",
    upstreamUrl: "http://mockc:8000/",
    meshProxy: () => outbound,
    forwardHeaders,
    host: LOOPBACK,
    port: 0,
  });
  try {
    const envoy = await EnvoyProcess.start({ bin: envoyBin, config: sidecarBootstrap(app.port, config), concurrency: 2 });
    outbound = `${LOOPBACK}:${await envoy.listenerPort("outbound")}`;
    const inboundUrl = `http://${LOOPBACK}:${await envoy.listenerPort("inbound")}/`;
    return {
      envoy,
      inboundUrl,
      stop: async () => {
        await envoy.stop();
        await app.close();
      },
    };
  } catch (e) {
    await app.close();
    throw e;
  }
}

/** The mockc version a chain ended at. */
function mockcOf(body: string): string {
  const m = /mockc\(version: (v\d)\)/.exec(body);
  if (!m) throw new Error(`no mockc in the reply: ${body}`);
  return m[1];
}

const laneOfVersion = (version: string) => (version === "v2" ? "s2" : "s1");

/**
 * `n` users in pairs that share their first slot (of the default 8192) but not their second, by the
 * independent FNV-1a and fmix32. Each pair is sent together, so one's record lands on the other's
 * first slot while the other's chain is in flight: its lane lives on in its second slot.
 */
function usersSharingFirstSlots(n: number, prefix: string): string[] {
  const byFirst = new Map<number, string>();
  const users: string[] = [];
  for (let i = 0; users.length < n; i++) {
    const user = `${prefix}${i}`;
    const [first, second] = traceSlots(user, 8192);
    const mate = byFirst.get(first);
    if (mate === undefined || traceSlots(mate, 8192)[1] === second) {
      byFirst.set(first, user);
      continue;
    }
    users.push(mate, user);
    byFirst.delete(first);
  }
  return users;
}

function usePod(config: object, forwardHeaders: string[]): { pod: () => Pod; e2e: (body: () => Promise<void>) => () => Promise<void> } {
  let pod: Pod | undefined;
  before(async () => {
    pod = await startPod(config, forwardHeaders);
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

async function counter(envoy: EnvoyProcess, name: string): Promise<number> {
  return envoy.stat(`wasmcustom.hash_tagging.pass_through.${name}`);
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
      assert.equal(await counter(pod().envoy, "recorded"), users.length);
      assert.equal(await counter(pod().envoy, "restored"), users.length);
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
      const before = await counter(pod().envoy, "none");
      assert.equal(mockcOf((await get(pod().inboundUrl, { [TRACE]: "never-tagged" })).body), "v1");
      assert.equal(mockcOf((await get(pod().inboundUrl, { [ROUTE]: "s2" })).body), "v1");
      // No lane on both hops of the first chain, and on the outbound hop of the second.
      assert.equal(await counter(pod().envoy, "none"), before + 3);
    }),
  );

  it(
    "forgets a user's lane as soon as a request of theirs comes without the tag",
    e2e(async () => {
      const lane = (headers: Record<string, string>) => get(pod().inboundUrl, headers).then((r) => mockcOf(r.body));
      assert.equal(await lane({ [TRACE]: "rolled-back", [ROUTE]: "s2" }), "v2");
      const expired = await counter(pod().envoy, "expired");
      assert.equal(await lane({ [TRACE]: "rolled-back" }), "v1", "the recorded s2 outlived the untagged request");
      assert.equal(await counter(pod().envoy, "expired"), expired + 1);
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
      assert.equal(await counter(pod().envoy, "fallback"), 2 * users.length);
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
      assert.equal(await counter(pod().envoy, "recorded"), 2);
      assert.equal(await counter(pod().envoy, "restored"), 2);
    }),
  );
});
