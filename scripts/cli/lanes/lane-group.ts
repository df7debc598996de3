// A lane group in the managed mesh's terms (its lane group and lane parameters, same field names), read
// and checked: either the model the generator needs, or every problem with its path.
import { BAGGAGE_KEY, DNS_LABEL, HEADER_NAME, LABEL_KEY, LABEL_VALUE, type Mapping, NAMESPACED, Reader } from "./reader.ts";

export interface ServiceRef {
  namespace: string;
  name: string;
  /** The mesh host name, as VirtualServices and DestinationRules name it. */
  host: string;
}

export interface IngressRule {
  /** Where it is in the file, for messages. */
  path: string;
  name: string;
  hosts: string[];
  /** An Istio HTTPMatchRequest, checked field by field. */
  match: Mapping;
  destination: ServiceRef;
}

export interface Lane {
  name: string;
  labelSelector: Record<string, string>;
  services: ServiceRef[];
  ingressRules: IngressRule[];
}

export interface PassThrough {
  traceHeader?: string;
  baggage?: string;
  slots?: number;
  ttlSeconds?: number;
  /** The gateway's rules, to decide when nothing is restored; the filter checks them. */
  rules?: unknown[];
}

export interface LaneGroup {
  name: string;
  ingressGateway: { namespace: string; name: string };
  mode: "loose" | "strict";
  routeHeader: string;
  passThrough?: PassThrough;
  services: ServiceRef[];
  /** The first lane is the baseline. */
  lanes: Lane[];
}

const GROUP_FIELDS = ["name", "ingressGateway", "mode", "routeHeader", "passThrough", "services", "lanes"];
const LANE_FIELDS = ["name", "labelSelector", "services", "ingressRules"];
const PASS_THROUGH_FIELDS = ["traceHeader", "baggage", "slots", "ttlSeconds", "rules"];
const RULE_FIELDS = ["name", "hosts", "match", "route"];
const MATCH_STRINGS = ["uri", "scheme", "method", "authority"];
const MATCH_MAPS = ["headers", "queryParams", "withoutHeaders"];
const MATCH_FIELDS = [...MATCH_STRINGS, ...MATCH_MAPS, "ignoreUriCase"];
const STRING_MATCH = ["exact", "prefix", "regex"];
/** The filter's documented limits for the pass-through's slots and expiry. */
const SLOTS_MAX = 1_048_576;
const TTL_MAX = 86_400;
const CLUSTER_DOMAIN = "svc.cluster.local";

const hostOf = (namespace: string, name: string) => `${name}.${namespace}.${CLUSTER_DOMAIN}`;
const idOf = (s: ServiceRef) => `${s.namespace}/${s.name}`;
const distinct = (list: ServiceRef[]) => list.filter((s, i) => list.findIndex((o) => idOf(o) === idOf(s)) === i);

function serviceRef(r: Reader, value: unknown, path: string): ServiceRef | undefined {
  const text = r.string(value, path, NAMESPACED);
  if (text === undefined) return undefined;
  const [namespace, name] = text.split("/");
  return { namespace, name, host: hostOf(namespace, name) };
}

function services(r: Reader, value: unknown, path: string): ServiceRef[] | undefined {
  const list = r.list(value, path, (v, p) => serviceRef(r, v, p));
  if (list && Array.isArray(value))
    r.unique(
      list.map((s, i) => ({ value: s, path: `${path}[${i}]` })),
      idOf,
      "service",
    );
  return list;
}

/** One Istio StringMatch: exactly one of exact, prefix, regex. */
function stringMatch(r: Reader, value: unknown, path: string): void {
  const m = r.mapping(value, path, STRING_MATCH);
  if (!m) return;
  const kinds = STRING_MATCH.filter((k) => m[k] !== undefined);
  if (kinds.length !== 1)
    r.problem(path, `expected exactly one of ${STRING_MATCH.join(", ")}, got ${kinds.length === 0 ? "none" : kinds.join(" and ")}`);
  for (const k of kinds) r.string(m[k], `${path}.${k}`);
}

function match(r: Reader, value: unknown, path: string): Mapping | undefined {
  const m = r.mapping(value, path, MATCH_FIELDS);
  if (!m) return undefined;
  for (const key of MATCH_STRINGS) if (m[key] !== undefined) stringMatch(r, m[key], `${path}.${key}`);
  for (const key of MATCH_MAPS) {
    if (m[key] === undefined) continue;
    const entries = r.mapping(m[key], `${path}.${key}`, Object.keys(m[key] ?? {}));
    for (const [name, sm] of Object.entries(entries ?? {})) {
      if (key !== "queryParams") r.string(name, `${path}.${key}.${name}`, HEADER_NAME);
      stringMatch(r, sm, `${path}.${key}.${name}`);
    }
  }
  if (m.ignoreUriCase !== undefined && typeof m.ignoreUriCase !== "boolean") r.problem(`${path}.ignoreUriCase`, "expected true or false");
  return m;
}

function ingressRule(r: Reader, value: unknown, path: string, group: ServiceRef[]): IngressRule | undefined {
  const m = r.mapping(value, path, RULE_FIELDS);
  if (!m) return undefined;
  const name = r.string(r.required(m, "name", path), `${path}.name`, DNS_LABEL);
  const hosts = r.list(r.required(m, "hosts", path), `${path}.hosts`, (v, p) => r.string(v, p));
  const routed = r.required(m, "route", path) === undefined ? undefined : r.mapping(m.route, `${path}.route`, ["destination"]);
  const destination =
    routed && r.required(routed, "destination", `${path}.route`) !== undefined
      ? r.mapping(routed.destination, `${path}.route.destination`, ["host"])
      : undefined;
  let service: ServiceRef | undefined;
  if (destination) {
    const host = r.string(r.required(destination, "host", `${path}.route.destination`), `${path}.route.destination.host`);
    service = group.find((s) => s.host === host);
    if (host !== undefined && !service) {
      r.problem(
        `${path}.route.destination.host`,
        `${JSON.stringify(host)} is not a service of the group (expected one of ${distinct(group)
          .map((s) => s.host)
          .join(", ")})`,
      );
    }
  }
  const matched = m.match === undefined ? {} : match(r, m.match, `${path}.match`);
  if (name === undefined || hosts === undefined || !service || !matched) return undefined;
  return { path, name, hosts, match: matched, destination: service };
}

function lane(r: Reader, value: unknown, path: string, group: ServiceRef[]): Lane | undefined {
  const m = r.mapping(value, path, LANE_FIELDS);
  if (!m) return undefined;
  const name = r.string(r.required(m, "name", path), `${path}.name`, DNS_LABEL);
  const selector =
    r.required(m, "labelSelector", path) === undefined
      ? undefined
      : r.mapping(m.labelSelector, `${path}.labelSelector`, Object.keys(m.labelSelector ?? {}));
  const labelSelector: Record<string, string> = {};
  if (selector && Object.keys(selector).length === 0)
    r.problem(`${path}.labelSelector`, "expected at least one label (the lane's pods carry it)");
  for (const [key, v] of Object.entries(selector ?? {})) {
    const k = r.string(key, `${path}.labelSelector.${key}`, LABEL_KEY);
    const label = r.string(v, `${path}.labelSelector.${key}`, LABEL_VALUE);
    if (k !== undefined && label !== undefined) labelSelector[k] = label;
  }
  const own = services(r, r.required(m, "services", path), `${path}.services`) ?? [];
  own.forEach((s, i) => {
    if (!group.some((g) => idOf(g) === idOf(s))) {
      r.problem(`${path}.services[${i}]`, `${idOf(s)} is not in the group's services (${distinct(group).map(idOf).join(", ")})`);
    }
  });
  const rules =
    m.ingressRules === undefined ? [] : (r.list(m.ingressRules, `${path}.ingressRules`, (v, p) => ingressRule(r, v, p, group)) ?? []);
  if (name === undefined || !selector) return undefined;
  return { name, labelSelector, services: own, ingressRules: rules };
}

function passThrough(r: Reader, value: unknown, path: string): PassThrough | undefined {
  const m = r.mapping(value, path, PASS_THROUGH_FIELDS);
  if (!m) return undefined;
  const modes = ["traceHeader", "baggage"].filter((k) => m[k] !== undefined);
  if (modes.length !== 1) {
    r.problem(
      path,
      modes.length === 0
        ? "expected one mode: traceHeader (trace-id pass-through) or baggage (a W3C baggage member)"
        : "traceHeader and baggage are exclusive: pick one pass-through mode",
    );
  }
  const config: PassThrough = {
    traceHeader: r.string(m.traceHeader, `${path}.traceHeader`, HEADER_NAME),
    baggage: r.string(m.baggage, `${path}.baggage`, BAGGAGE_KEY),
    slots: r.integer(m.slots, `${path}.slots`, 1, SLOTS_MAX),
    ttlSeconds: r.integer(m.ttlSeconds, `${path}.ttlSeconds`, 1, TTL_MAX),
  };
  if (m.rules !== undefined) config.rules = r.list(m.rules, `${path}.rules`, (v) => v);
  if (m.baggage !== undefined && (m.slots !== undefined || m.ttlSeconds !== undefined)) {
    r.problem(path, "slots and ttlSeconds belong to trace-id mode (traceHeader); baggage mode keeps no state");
  }
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
}

/** Loose mode: the baseline takes every service a lane lacks, so it must hold them all; strict: every lane must. */
function checkCoverage(r: Reader, mode: LaneGroup["mode"], group: ServiceRef[], lanes: Lane[]): void {
  lanes.forEach((l, i) => {
    if (mode === "loose" && i > 0) return;
    const missing = distinct(group).filter((s) => !l.services.some((o) => idOf(o) === idOf(s)));
    if (missing.length > 0) {
      const why =
        mode === "strict" ? "in strict mode every lane holds every service" : "the baseline (first lane) serves every service a lane lacks";
      r.problem(`lanes[${i}].services`, `missing ${missing.map(idOf).join(", ")}: ${why}`);
    }
  });
}

function checkIngress(r: Reader, lanes: Lane[]): void {
  const rules = lanes.flatMap((l) => l.ingressRules.map((rule) => ({ value: rule, path: rule.path })));
  r.unique(
    rules.map(({ value, path }) => ({ value, path: `${path}.name` })),
    (rule) => rule.name,
    "ingress rule name",
  );
  const first = rules[0];
  for (const { value, path } of rules.slice(1)) {
    // One VirtualService holds every rule, and its hosts are shared.
    if (JSON.stringify(value.hosts) !== JSON.stringify(first.value.hosts)) {
      r.problem(
        `${path}.hosts`,
        `expected the same hosts as ${first.path} (${JSON.stringify(first.value.hosts)}): every ingress rule goes into one VirtualService`,
      );
    }
  }
}

/** The lane group, or every problem found in it (each `path: message`). */
export function readLaneGroup(value: unknown): { group: LaneGroup; problems: [] } | { group?: undefined; problems: string[] } {
  const r = new Reader();
  const m = r.mapping(value, "", GROUP_FIELDS);
  if (!m) return { problems: r.problems };
  const name = r.string(r.required(m, "name", ""), "name", DNS_LABEL);
  const gateway = r.string(r.required(m, "ingressGateway", ""), "ingressGateway", NAMESPACED);
  const mode = r.string(r.required(m, "mode", ""), "mode", { test: (s) => s === "loose" || s === "strict", expected: "loose or strict" });
  const routeHeader = r.string(r.required(m, "routeHeader", ""), "routeHeader", HEADER_NAME);
  const pass = m.passThrough === undefined ? undefined : passThrough(r, m.passThrough, "passThrough");
  const groupServices = services(r, r.required(m, "services", ""), "services") ?? [];
  const read = r.list(r.required(m, "lanes", ""), "lanes", (v, path) => {
    const l = lane(r, v, path, groupServices);
    return l && { value: l, path };
  });
  if (read) {
    r.unique(
      read.map(({ value, path }) => ({ value, path: `${path}.name` })),
      (l) => l.name,
      "lane",
    );
    const selecting = read.filter(({ value }) => Object.keys(value.labelSelector).length > 0);
    r.unique(
      selecting.map(({ value, path }) => ({ value, path: `${path}.labelSelector` })),
      (l) =>
        Object.entries(l.labelSelector)
          .sort()
          .map(([k, v]) => `${k}=${v}`)
          .join(","),
      "labelSelector",
    );
  }
  const lanes = read?.map((l) => l.value);
  if (lanes && (mode === "loose" || mode === "strict")) {
    checkCoverage(r, mode, groupServices, lanes);
    checkIngress(r, lanes);
  }
  if (pass?.traceHeader !== undefined && pass.traceHeader === routeHeader) {
    r.problem("passThrough.traceHeader", `must differ from routeHeader (${routeHeader}): the trace value keys the lane it carries`);
  }
  if (r.problems.length > 0 || !name || !gateway || !mode || !routeHeader || !lanes) return { problems: r.problems };
  const [gatewayNamespace, gatewayName] = gateway.split("/");
  const group: LaneGroup = {
    name,
    mode: mode as LaneGroup["mode"],
    routeHeader,
    services: groupServices,
    lanes,
    ingressGateway: { namespace: gatewayNamespace, name: gatewayName },
    ...(pass ? { passThrough: pass } : {}),
  };
  return { group, problems: [] };
}
