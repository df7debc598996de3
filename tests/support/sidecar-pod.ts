// A pod in real Envoy: the sample app (mockb, calling mockc) and its sidecar, an INBOUND listener in front
// of the app and an OUTBOUND listener the app calls out through, both running the filter with one
// pass-through config (direction auto: Envoy's per-request listener direction), on workers that share
// only Envoy's shared data. The next hop is the outbound listener's own direct response, chosen by the
// lane header, so the lane the app's call was routed by shows in the reply.
import { type MockService, startMockService } from "../../envoy/app/mock-service.ts";
import { httpListener, wasmFilterConfig } from "../../scripts/lib/envoy/bootstrap.ts";
import { ensureEnvoy } from "../../scripts/lib/envoy/ensure.ts";
import { EnvoyProcess } from "../../scripts/lib/envoy/process.ts";
import { TAG_HEADER, USER_HEADER } from "../../scripts/lib/envoy/topology.ts";
import { PLUGIN_WASM } from "../../scripts/lib/paths.ts";

export const ROUTE = TAG_HEADER;
export const TRACE = USER_HEADER;
const LOOPBACK = "127.0.0.1";

/** What the next hop answers for each lane: the lane the outbound request was routed by. */
function laneRoutes(): object[] {
  const answer = (body: string) => ({ direct_response: { status: 200, body: { inline_string: body } } });
  return [
    { match: { prefix: "/", headers: [{ name: ROUTE, string_match: { exact: "s2" } }] }, ...answer("-> mockc(version: v2)") },
    { match: { prefix: "/" }, ...answer("-> mockc(version: v1)") },
  ];
}

function podBootstrap(appPort: number, config: object): object {
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

export interface PodOptions {
  /** The filter's config on both listeners. */
  config: object;
  /** The request headers the app copies onto its call: the trace header, and `baggage` in baggage mode. */
  forwardHeaders: readonly string[];
  /** Envoy's log level; "warn" keeps a long soak's log small. */
  logLevel?: string;
}

export interface Pod {
  envoy: EnvoyProcess;
  inboundUrl: string;
  stop(): Promise<void>;
}

/** The app and its sidecar Envoy with 2 workers; fails (never skips) when the plugin is unbuilt or no Envoy runs it. */
export async function startPod(o: PodOptions): Promise<Pod> {
  const envoyBin = (await ensureEnvoy(PLUGIN_WASM)).bin;
  let outbound: string | undefined;
  const app: MockService = await startMockService({
    app: "mockb",
    version: "v1",
    upstreamUrl: "http://mockc:8000/",
    meshProxy: () => outbound,
    forwardHeaders: o.forwardHeaders,
    host: LOOPBACK,
    port: 0,
  });
  try {
    const envoy = await EnvoyProcess.start({
      bin: envoyBin,
      config: podBootstrap(app.port, o.config),
      concurrency: 2,
      logLevel: o.logLevel,
    });
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

/** The mockc version a chain ended at, if the reply names one. */
export function mockcVersion(body: string): string | undefined {
  return /mockc\(version: (v\d)\)/.exec(body)?.[1];
}

/** The mockc version a chain ended at. */
export function mockcOf(body: string): string {
  const version = mockcVersion(body);
  if (!version) throw new Error(`no mockc in the reply: ${body}`);
  return version;
}

/** The lane a chain's last hop was routed by. */
export const laneOfVersion = (version: string): "s1" | "s2" => (version === "v2" ? "s2" : "s1");

/** A pass-through counter of the sidecar (`recorded`, `restored`, `collided`, ...). */
export function passThroughCounter(envoy: EnvoyProcess, name: string): Promise<number> {
  return envoy.stat(`wasmcustom.hash_tagging.pass_through.${name}`);
}
