// A sidecar Envoy, as in a pod: an inbound listener (INBOUND) in front of its app and an outbound listener
// (OUTBOUND) that the app sends its calls to, both running the filter with the pass-through config, so
// the lane the gateway gave a request comes back on the calls the app makes for it. Each listener's
// config names its direction, as the generated WasmPlugins do (match SERVER / CLIENT): cheaper than
// reading it per request.
import {
  type Endpoint,
  FILTER_NAME,
  httpListener,
  type MeshEndpoints,
  meshVirtualHosts,
  overloadManager,
  serviceCluster,
  wasmFilter,
} from "./bootstrap.ts";
import type { Service } from "./topology.ts";

export const SIDECAR_INBOUND = "inbound";
export const SIDECAR_OUTBOUND = "outbound";
const LOCAL_APP = "inbound-app";

export interface SidecarOptions extends MeshEndpoints {
  /** The instance it belongs to (its node id), e.g. mocka-v1. */
  instance: string;
  admin: Endpoint;
  /** Where it takes the app's inbound traffic: the address other services reach the instance at. */
  inbound: Endpoint;
  /** Where the app sends its calls. */
  outbound: Endpoint;
  /** Where the app itself listens. */
  app: Endpoint;
  /** STATIC for an IP, STRICT_DNS for a container name (the app's own, in its network namespace). */
  appClusterType: "STATIC" | "STRICT_DNS";
  /** The services the app calls. */
  upstreams: readonly Service[];
  wasmPath: string;
  /** The filter's config on both listeners (a passThrough block gets each listener's direction); null runs the sidecar without the filter. */
  plugin: { config: object } | null;
}

function localApp(o: SidecarOptions): object {
  return {
    name: LOCAL_APP,
    type: o.appClusterType,
    connect_timeout: "1s",
    ...(o.appClusterType === "STRICT_DNS" ? { dns_lookup_family: "V4_ONLY" } : {}),
    load_assignment: {
      cluster_name: LOCAL_APP,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: o.app.address, port_value: o.app.port } } } }] }],
    },
  };
}

export function sidecarBootstrap(o: SidecarOptions): object {
  const filters = (direction: "inbound" | "outbound") => {
    if (!o.plugin) return [];
    const config = o.plugin.config as { passThrough?: object };
    return [
      wasmFilter(o.wasmPath, { config: config.passThrough ? { ...config, passThrough: { ...config.passThrough, direction } } : config }),
    ];
  };
  return {
    node: { id: `${FILTER_NAME}-sidecar-${o.instance}`, cluster: o.instance },
    admin: { address: { socket_address: { address: o.admin.address, port_value: o.admin.port } } },
    overload_manager: overloadManager(),
    static_resources: {
      listeners: [
        httpListener({
          name: SIDECAR_INBOUND,
          bind: o.inbound.address,
          port: o.inbound.port,
          direction: "INBOUND",
          filters: filters("inbound"),
          routeConfig: {
            virtual_hosts: [{ name: SIDECAR_INBOUND, domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: LOCAL_APP } }] }],
          },
        }),
        httpListener({
          name: SIDECAR_OUTBOUND,
          bind: o.outbound.address,
          port: o.outbound.port,
          direction: "OUTBOUND",
          filters: filters("outbound"),
          routeConfig: { virtual_hosts: meshVirtualHosts(o.upstreams) },
        }),
      ],
      clusters: [localApp(o), ...o.upstreams.map((s) => serviceCluster(s.app, s.versions, o))],
    },
  };
}
