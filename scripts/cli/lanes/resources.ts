// The upstream Istio resources that give a lane group's lanes: what the managed mesh builds on its own.
import type { IngressRule, Lane, LaneGroup, ServiceRef } from "./lane-group.ts";

type Resource = Record<string, unknown>;

/** The image placeholder the shipped WasmPlugins carry (the README's apply step replaces it). */
export const IMAGE_PLACEHOLDER = "oci://REGISTRY/hash-tagging:TAG";

export interface ImageOptions {
  /** oci:// URL of the filter's image. */
  url?: string;
  /** Its manifest digest, hex only. */
  sha256?: string;
}

/** The resources by kind of output file: the generator writes each group to a file of its own. */
export interface LaneResources {
  destinationRules: Resource[];
  serviceVirtualServices: Resource[];
  ingressVirtualServices: Resource[];
  passThroughPlugins: Resource[];
}

const has = (lane: Lane, service: ServiceRef) => lane.services.some((s) => s.host === service.host);
const meta = (name: string, namespace: string) => ({ name, namespace });
const baselineOf = (group: LaneGroup) => group.lanes[0];

/** Loose mode: the lane's subset where the service is in the lane, else the baseline's. */
function subsetFor(group: LaneGroup, lane: Lane, service: ServiceRef): string {
  return has(lane, service) ? lane.name : baselineOf(group).name;
}

function destinationRule(group: LaneGroup, service: ServiceRef): Resource {
  return {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "DestinationRule",
    metadata: meta(service.name, service.namespace),
    spec: {
      host: service.host,
      subsets: group.lanes.filter((l) => has(l, service)).map((l) => ({ name: l.name, labels: l.labelSelector })),
    },
  };
}

const destination = (service: ServiceRef, subset: string) => [{ destination: { host: service.host, subset } }];
const tagIs = (group: LaneGroup, lane: Lane) => ({ [group.routeHeader]: { exact: lane.name } });

/**
 * A service's routes inside the mesh: each lane that has the service sends its tag there; every other
 * tag, and no tag, reaches the baseline (a lane without the service needs no rule of its own).
 */
function serviceVirtualService(group: LaneGroup, service: ServiceRef): Resource {
  const lanes = group.lanes.slice(1).filter((l) => has(l, service));
  return {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "VirtualService",
    metadata: meta(service.name, service.namespace),
    spec: {
      hosts: [service.host],
      http: [
        ...lanes.map((l) => ({ name: `lane-${l.name}`, match: [{ headers: tagIs(group, l) }], route: destination(service, l.name) })),
        { name: "baseline", route: destination(service, baselineOf(group).name) },
      ],
    },
  };
}

/** Whether the rule's match already requires the lane's tag (then the gateway needs not write it). */
function requiresTag(group: LaneGroup, rule: IngressRule, lane: Lane): boolean {
  const headers = rule.match.headers as Record<string, { exact?: string }> | undefined;
  return headers?.[group.routeHeader]?.exact === lane.name;
}

/**
 * The gateway's routes: every lane's ingress rules, the canary lanes' first (in file order) so that a
 * rule naming a user wins over the baseline's, each writing the lane's tag for the hops after it;
 * then a catch-all to the baseline, so that an untagged request is served rather than answered 404.
 */
function ingressVirtualService(group: LaneGroup): Resource | undefined {
  const ordered = [...group.lanes.slice(1), baselineOf(group)].flatMap((lane) => lane.ingressRules.map((rule) => ({ lane, rule })));
  if (ordered.length === 0) return undefined;
  const entry = (baselineOf(group).ingressRules[0] ?? ordered[0].rule).destination;
  return {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "VirtualService",
    metadata: meta(`${group.name}-ingress-vs`, group.ingressGateway.namespace),
    spec: {
      gateways: [`${group.ingressGateway.namespace}/${group.ingressGateway.name}`],
      hosts: ordered[0].rule.hosts,
      http: [
        ...ordered.map(({ lane, rule }) => ({
          name: rule.name,
          ...(Object.keys(rule.match).length > 0 ? { match: [rule.match] } : {}),
          ...(requiresTag(group, rule, lane) ? {} : { headers: { request: { set: { [group.routeHeader]: lane.name } } } }),
          route: destination(rule.destination, subsetFor(group, lane, rule.destination)),
        })),
        { name: "baseline", route: destination(entry, baselineOf(group).name) },
      ],
    },
  };
}

/** The filter's pass-through config, as the sidecars get it (the contract's `passThrough` block). */
export function passThroughConfig(group: LaneGroup): Record<string, unknown> | undefined {
  if (!group.passThrough) return undefined;
  const { rules, ...mode } = group.passThrough;
  return { passThrough: { routeHeader: group.routeHeader, ...mode }, ...(rules ? { rules } : {}) };
}

/** Each side of a sidecar gets a WasmPlugin of its own: naming the direction costs less than reading it per request. */
const SIDES = [
  { side: "inbound", mode: "SERVER" },
  { side: "outbound", mode: "CLIENT" },
] as const;

/**
 * Two WasmPlugins per service, on its pods' sidecars (Istio's `app` label convention): SERVER (inbound,
 * the app is called) records the lane of what the app receives, CLIENT (outbound) restores it on what
 * the app sends.
 */
function passThroughPlugins(group: LaneGroup, service: ServiceRef, config: Record<string, unknown>, image: ImageOptions): Resource[] {
  return SIDES.map(({ side, mode }) => ({
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "WasmPlugin",
    metadata: meta(`${group.name}-pass-through-${service.name}-${side}`, service.namespace),
    spec: {
      selector: { matchLabels: { app: service.name } },
      url: image.url ?? IMAGE_PLACEHOLDER,
      ...(image.sha256 ? { sha256: image.sha256 } : {}),
      imagePullPolicy: "IfNotPresent",
      phase: "AUTHN",
      match: [{ mode }],
      pluginConfig: { ...config, passThrough: { ...(config.passThrough as object), direction: side } },
    },
  }));
}

export function laneResources(group: LaneGroup, image: ImageOptions = {}): LaneResources {
  const config = passThroughConfig(group);
  const ingress = ingressVirtualService(group);
  return {
    destinationRules: group.services.map((s) => destinationRule(group, s)),
    serviceVirtualServices: group.services.map((s) => serviceVirtualService(group, s)),
    ingressVirtualServices: ingress ? [ingress] : [],
    passThroughPlugins: config ? group.services.flatMap((s) => passThroughPlugins(group, s, config, image)) : [],
  };
}
