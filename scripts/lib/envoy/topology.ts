// The sample deployment the reference walk-through uses: which services exist, which lanes they
// have, and how the ingress routes. Both Envoy configs (native and Docker) are generated from this.

export const USER_HEADER = "x-user-id";
export const TAG_HEADER = "x-asm-prefer-tag";
/** W3C Baggage, which OpenTelemetry-instrumented apps propagate. */
export const BAGGAGE_HEADER = "baggage";
/** The baggage member that carries the lane in baggage mode. */
export const BAGGAGE_MEMBER = "lane";
/** Response header naming the ingress route that matched: shows which tag the router saw. */
export const ROUTE_HEADER = "x-ingress-route";
/** Port every sample service listens on inside Docker (the reference's containers use 8000 too). */
export const SERVICE_PORT = 8000;

export interface Lane {
  tag: string;
  version: string;
}

/** Lane s1 selects version v1 and is the baseline; lane s2 selects v2 (only mockc has one). */
export const BASELINE_LANE: Lane = { tag: "s1", version: "v1" };
export const CANARY_LANE: Lane = { tag: "s2", version: "v2" };
export const LANES: readonly Lane[] = [BASELINE_LANE, CANARY_LANE];

/** How the sample app propagates context: which request headers it copies onto its upstream call. */
export interface AppVariant {
  name: string;
  forwardHeaders: readonly string[];
}

/** The reference's app: it forwards only the trace id, never the lane tag. */
export const REFERENCE_APP: AppVariant = { name: "reference", forwardHeaders: [USER_HEADER] };
/** An OpenTelemetry-instrumented app: the trace id and W3C baggage. */
export const OTEL_APP: AppVariant = { name: "opentelemetry", forwardHeaders: [USER_HEADER, BAGGAGE_HEADER] };

export type PassThroughMode = "trace-id" | "baggage";

/** The sidecars' pass-through config of each mode, and the app that mode is for. */
export const SIDECAR_MODES: Record<PassThroughMode, { app: AppVariant; pluginConfig: object }> = {
  "trace-id": { app: REFERENCE_APP, pluginConfig: { passThrough: { routeHeader: TAG_HEADER, traceHeader: USER_HEADER } } },
  baggage: { app: OTEL_APP, pluginConfig: { passThrough: { routeHeader: TAG_HEADER, baggage: BAGGAGE_MEMBER } } },
};

export interface Service {
  app: string;
  versions: readonly string[];
  /** Name of the service this one calls, if any. */
  upstream?: string;
}

export const SERVICES: readonly Service[] = [
  { app: "mocka", versions: ["v1"], upstream: "mockb" },
  { app: "mockb", versions: ["v1"], upstream: "mockc" },
  { app: "mockc", versions: ["v1", "v2"] },
];

/** The reference VirtualService's first rule: this user always rides the canary lane. */
export const NAMED_USERS: readonly { user: string; lane: Lane }[] = [{ user: "jason", lane: CANARY_LANE }];

export const WALKTHROUGH_USERS: readonly string[] = ["jason", "bob", "stacy", "jessie", "vance", "jack"];

/** The shape of a pluginConfig as the reference deployment writes it. */
export interface ReferencePluginConfig {
  rules: { header: string; modulo: number; tagHeader: string; policies: { range: number; tagValue: string }[]; clientTag?: "remove" }[];
}

/** The reference pluginConfig: `canaryRange`% of users (20 by default) to s2, the rest to s1, by x-user-id. */
export function pluginConfig(canaryRange = 20): ReferencePluginConfig {
  return {
    rules: [
      {
        header: USER_HEADER,
        modulo: 100,
        tagHeader: TAG_HEADER,
        policies: [
          { range: canaryRange, tagValue: CANARY_LANE.tag },
          { range: 100, tagValue: BASELINE_LANE.tag },
        ],
      },
    ],
  };
}

/**
 * The gateway's config as deploy/istio/base/wasmplugin.yaml ships it (a test checks): the reference's, plus
 * `clientTag: remove`, so a client without a user id cannot bring a lane of its own to the sidecars.
 */
export function gatewayPluginConfig(canaryRange = 20): ReferencePluginConfig {
  const config = pluginConfig(canaryRange);
  return { rules: config.rules.map((rule) => ({ ...rule, clientTag: "remove" })) };
}

export interface Instance {
  app: string;
  version: string;
  upstream?: string;
}

/** One instance per version of each service (the sample app's, unless given other services). */
export function instances(services: readonly Service[] = SERVICES): Instance[] {
  return services.flatMap((s) => s.versions.map((version) => ({ app: s.app, version, upstream: s.upstream })));
}

/** Docker Compose service name and DNS name of one instance, e.g. mockc-v2. */
export function instanceName(i: Pick<Instance, "app" | "version">): string {
  return `${i.app}-${i.version}`;
}
