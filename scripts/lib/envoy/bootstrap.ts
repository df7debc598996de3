// Envoy bootstrap generator: one source for the native testbed, the tests and envoy/envoy.yaml (Docker).
//
// Topology, as pods: an ingress gateway Envoy runs the hash-tagging filter and routes like the reference
// VirtualService; each app instance that calls another has a sidecar Envoy of its own (sidecar.ts) that
// carries its calls and routes them by the tag. Loose mode is Envoy's subset load balancer: a route asks
// for the lane's version, and a service with no endpoint of that version falls back to the baseline subset.
import { BASELINE_LANE, LANES, type Lane, NAMED_USERS, ROUTE_HEADER, SERVICES, type Service, TAG_HEADER, USER_HEADER } from "./topology.ts";

const HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const ROUTER = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";
export const WASM_FILTER_TYPE = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";
const STRING_VALUE = "type.googleapis.com/google.protobuf.StringValue";
const EXTENSION_CONFIG = "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig";
/** Name of the filter and of its ECDS resource, as Istio names a WasmPlugin's filter after it. */
export const FILTER_NAME = "hash-tagging";
export const INGRESS_LISTENER = "ingress";
/** Test-only route that answers at Envoy with the tag the filter wrote, so bulk checks skip the apps. */
export const TAG_ECHO_PATH = "/_tag";

export interface Endpoint {
  address: string;
  port: number;
}

/** Where the upstream services are, for the gateway's and the sidecars' clusters. */
export interface MeshEndpoints {
  /** Where one instance of a service is reached (its sidecar's inbound listener when it has one). */
  endpoint(app: string, version: string): Endpoint;
  /** STATIC for IP endpoints, STRICT_DNS for container names. */
  clusterType: "STATIC" | "STRICT_DNS";
}

export interface BootstrapOptions extends MeshEndpoints {
  /** Address listeners and admin bind to: 127.0.0.1 natively, 0.0.0.0 in a container. */
  bind: string;
  adminPort: number;
  ingressPort: number;
  wasmPath: string;
  /** The filter's configuration inline (JSON text or an object), or by ECDS from a watched file. */
  plugin: { config: string | object } | { ecdsFile: string };
  tagEcho?: boolean;
}

/** The wasm filter's config (envoy.extensions.filters.http.wasm.v3.Wasm), as Istio builds it. */
export function wasmFilterConfig(wasmPath: string, config: string | object): object {
  return {
    "@type": WASM_FILTER_TYPE,
    config: {
      name: FILTER_NAME,
      root_id: "", // Istio's default: WasmPlugin.pluginName unset
      vm_config: {
        vm_id: FILTER_NAME,
        runtime: "envoy.wasm.runtime.v8",
        code: { local: { filename: wasmPath } },
      },
      configuration: { "@type": STRING_VALUE, value: typeof config === "string" ? config : JSON.stringify(config) },
      failure_policy: "FAIL_CLOSED",
    },
  };
}

/** A file-based ECDS DiscoveryResponse carrying the filter config. */
export function ecdsResponse(wasmPath: string, config: string | object, version: string): object {
  return {
    version_info: version,
    resources: [{ "@type": EXTENSION_CONFIG, name: FILTER_NAME, typed_config: wasmFilterConfig(wasmPath, config) }],
  };
}

export function wasmFilter(wasmPath: string, plugin: BootstrapOptions["plugin"]): object {
  if ("config" in plugin) {
    return { name: FILTER_NAME, typed_config: wasmFilterConfig(wasmPath, plugin.config) };
  }
  const dir = plugin.ecdsFile.slice(0, plugin.ecdsFile.lastIndexOf("/"));
  return {
    name: FILTER_NAME,
    config_discovery: {
      // watched_directory: reload when a new file is renamed into place (atomic update).
      config_source: { path_config_source: { path: plugin.ecdsFile, watched_directory: { path: dir } }, resource_api_version: "V3" },
      type_urls: [WASM_FILTER_TYPE],
    },
  };
}

function laneMatch(lane: Lane): object {
  return { filter_metadata: { "envoy.lb": { version: lane.version } } };
}

function toLane(cluster: string, lane: Lane): object {
  return { cluster, metadata_match: laneMatch(lane) };
}

function headerIs(name: string, value: string): object {
  return { name, string_match: { exact: value } };
}

function routeName(name: string): object[] {
  return [{ header: { key: ROUTE_HEADER, value: name }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }];
}

/** The reference VirtualService (named users, then one rule per tag) plus a baseline default. */
function ingressRoutes(o: BootstrapOptions): object[] {
  const entry = SERVICES[0].app;
  const routes: object[] = [];
  if (o.tagEcho) {
    routes.push({
      name: "tag-echo",
      match: { path: TAG_ECHO_PATH },
      direct_response: { status: 200 },
      response_headers_to_add: [
        { header: { key: TAG_HEADER, value: `%REQ(${TAG_HEADER})%` }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" },
      ],
    });
  }
  for (const { user, lane } of NAMED_USERS) {
    const name = `user-${user}`;
    routes.push({
      name,
      match: { path: "/", headers: [headerIs(USER_HEADER, user)] },
      route: toLane(entry, lane),
      request_headers_to_add: [{ header: { key: TAG_HEADER, value: lane.tag }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }],
      response_headers_to_add: routeName(name),
    });
  }
  // Canary lanes first, baseline last, as the reference orders its rules.
  for (const lane of [...LANES].reverse()) {
    const name = `tag-${lane.tag}`;
    routes.push({
      name,
      match: { path: "/", headers: [headerIs(TAG_HEADER, lane.tag)] },
      route: toLane(entry, lane),
      response_headers_to_add: routeName(name),
    });
  }
  // Not in the reference VirtualService (an untagged request gets a 404 there): untagged requests
  // ride the baseline lane, as loose mode does for every in-mesh call.
  routes.push({
    name: "baseline",
    match: { path: "/" },
    route: toLane(entry, BASELINE_LANE),
    response_headers_to_add: routeName("baseline"),
  });
  return routes;
}

/** One virtual host per service, reached by Host: <service>[:port]; the request's tag picks the lane. */
export function meshVirtualHosts(services: readonly Service[]): object[] {
  return services.map((s) => ({
    name: s.app,
    domains: [s.app, `${s.app}:*`],
    routes: [
      ...LANES.filter((l) => l !== BASELINE_LANE).map((lane) => ({
        match: { prefix: "/", headers: [headerIs(TAG_HEADER, lane.tag)] },
        route: toLane(s.app, lane),
      })),
      { match: { prefix: "/" }, route: toLane(s.app, BASELINE_LANE) },
    ],
  }));
}

export interface HttpListenerOptions {
  name: string;
  /** Envoy's traffic_direction, as Istio sets it: INBOUND in front of an app, OUTBOUND elsewhere. */
  direction?: "INBOUND" | "OUTBOUND";
  bind: string;
  port: number;
  routeConfig: object;
  /** HTTP filters before the router. */
  filters: object[];
  /** Further HttpConnectionManager fields. */
  connectionManager?: object;
}

/** A listener running Envoy's HTTP connection manager: `filters`, then the router. */
export function httpListener(l: HttpListenerOptions): object {
  return {
    name: l.name,
    address: { socket_address: { address: l.bind, port_value: l.port } },
    ...(l.direction ? { traffic_direction: l.direction } : {}),
    filter_chains: [
      {
        filters: [
          {
            name: "envoy.filters.network.http_connection_manager",
            typed_config: {
              "@type": HCM,
              stat_prefix: l.name,
              ...l.connectionManager,
              route_config: { name: l.name, ...l.routeConfig },
              http_filters: [...l.filters, { name: "envoy.filters.http.router", typed_config: { "@type": ROUTER } }],
            },
          },
        ],
      },
    ],
  };
}

/** A service's instances, one subset per version, the baseline's the default (loose mode). */
export function serviceCluster(app: string, versions: readonly string[], o: MeshEndpoints): object {
  return {
    name: app,
    type: o.clusterType,
    connect_timeout: "1s",
    ...(o.clusterType === "STRICT_DNS" ? { dns_lookup_family: "V4_ONLY" } : {}),
    lb_subset_config: {
      fallback_policy: "DEFAULT_SUBSET",
      default_subset: { version: BASELINE_LANE.version },
      subset_selectors: [{ keys: ["version"] }],
    },
    load_assignment: {
      cluster_name: app,
      endpoints: [
        {
          lb_endpoints: versions.map((version) => {
            const e = o.endpoint(app, version);
            return {
              endpoint: { address: { socket_address: { address: e.address, port_value: e.port } } },
              metadata: { filter_metadata: { "envoy.lb": { version } } },
            };
          }),
        },
      ],
    },
  };
}

/** A limit on downstream connections: Envoy warns at start when nothing bounds them. */
export function overloadManager(): object {
  return {
    resource_monitors: [
      {
        name: "envoy.resource_monitors.global_downstream_max_connections",
        typed_config: {
          "@type": "type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig",
          max_active_downstream_connections: 10_000,
        },
      },
    ],
  };
}

/** The ingress gateway: the filter, then the reference routes to the entry service. */
export function gatewayBootstrap(o: BootstrapOptions): object {
  const entry = SERVICES[0];
  return {
    // File-based xDS (the ECDS flavour) requires a node identity.
    node: { id: "hash-tagging", cluster: "hash-tagging" },
    admin: { address: { socket_address: { address: o.bind, port_value: o.adminPort } } },
    overload_manager: overloadManager(),
    static_resources: {
      listeners: [
        httpListener({
          // Istio marks gateway listeners OUTBOUND, as the sidecars' outbound ones.
          name: INGRESS_LISTENER,
          bind: o.bind,
          port: o.ingressPort,
          direction: "OUTBOUND",
          routeConfig: { virtual_hosts: [{ name: INGRESS_LISTENER, domains: ["*"], routes: ingressRoutes(o) }] },
          filters: [wasmFilter(o.wasmPath, o.plugin)],
        }),
      ],
      clusters: [serviceCluster(entry.app, entry.versions, o)],
    },
  };
}

export interface TagRoutesOptions {
  /** The listener's traffic_direction, as Istio sets it on a sidecar (INBOUND) or gateway (OUTBOUND). */
  trafficDirection?: "INBOUND" | "OUTBOUND";
  /** A second listener "prime", INBOUND, with these filters (the same VM, so the same shared data): it records lanes before a run. */
  primeFilters?: object[];
}

/**
 * One listener named "bench" running `filters`, whose routes answer directly with the tag they
 * matched ("none" when untagged): no upstream adds cost or noise. For benchmarks and soaks.
 */
export function tagRoutesBootstrap(filters: object[], options: TagRoutesOptions = {}): object {
  const byTag = (tag: string) => ({
    match: { prefix: "/", headers: [{ name: "x-asm-prefer-tag", string_match: { exact: tag } }] },
    direct_response: { status: 200, body: { inline_string: tag } },
  });
  const listener = (name: string, direction: string | undefined, listenerFilters: object[]) => ({
    ...httpListener({
      name,
      bind: "127.0.0.1",
      port: 0,
      connectionManager: { generate_request_id: false },
      routeConfig: {
        virtual_hosts: [
          {
            name,
            domains: ["*"],
            routes: [
              byTag("s2"),
              byTag("s1"),
              { match: { prefix: "/" }, direct_response: { status: 200, body: { inline_string: "none" } } },
            ],
          },
        ],
      },
      filters: listenerFilters,
    }),
    ...(direction ? { traffic_direction: direction } : {}),
  });
  return {
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: 0 } } },
    stats_config: { use_all_default_tags: false },
    static_resources: {
      listeners: [
        listener("bench", options.trafficDirection, filters),
        ...(options.primeFilters ? [listener("prime", "INBOUND", options.primeFilters)] : []),
      ],
    },
  };
}
