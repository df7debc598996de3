// An independent statement of the configuration rules (README, "Configuration"), used as the
// fuzzing oracle: a config the filter accepts must be valid here, and one valid here must be accepted.

/** The fields each level of the configuration accepts, in the README tables' order. */
export const CONFIG_FIELDS = {
  top: ["rules", "debug", "passThrough"],
  rule: [
    "name",
    "header",
    "cookie",
    "query",
    "modulo",
    "tagHeader",
    "policies",
    "partitionedPolicies",
    "match",
    "seed",
    "hash",
    "defaultTagValue",
    "overrides",
    "clientTag",
    "maxKeyBytes",
  ],
  policy: ["range", "tagValue"],
  partitionedPolicy: ["weight", "tagValue"],
  match: ["hosts", "pathPrefixes"],
  debug: ["enabled"],
  passThrough: ["routeHeader", "traceHeader", "baggage", "direction", "slots", "ttlSeconds"],
};

/** The passThrough block's documented limits (README, "Lanes across the call chain"). */
export const PASS_THROUGH_LIMITS = { slots: 1048576, ttlSeconds: 86400, defaultSlots: 8192, defaultTtlSeconds: 60 };
// Headers the proxy owns: framing, hop-by-hop (RFC 9110 section 7.6.1), the host, cookies, Envoy's controls.
const RESERVED_HEADERS = [
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "upgrade",
  "host",
  "cookie",
];
/** A header no config may write (tagHeader, routeHeader): any case. */
const isReservedHeader = (name: string) => RESERVED_HEADERS.includes(name.toLowerCase()) || name.toLowerCase().startsWith("x-envoy-");

/** The documented limits (README, "Limits"). */
export const CONFIG_LIMITS = {
  configBytes: 1 << 20,
  rules: 1000,
  policies: 1000,
  overrides: 10000,
  matchEntries: 1000,
  nameBytes: 256,
  valueBytes: 4096,
  errorLines: 100,
};

const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const HEADER_VALUE = /^[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?$/;
const DOMAIN = /^(?:\*\.)?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/;

const PATH_PREFIX = /^\/[\x21-\x7e]*$/;
const KEY_SOURCES = ["header", "cookie", "query"] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const hasOnly = (o: Record<string, unknown>, keys: string[]) => Object.keys(o).every((k) => keys.includes(k));
const isInt = (v: unknown, min: number, max: number) => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
const bytes = (s: string) => Buffer.byteLength(s, "utf8");
const isText = (v: unknown, maxBytes: number): v is string => typeof v === "string" && v !== "" && bytes(v) <= maxBytes;
const isToken = (v: unknown): v is string => typeof v === "string" && TOKEN.test(v) && bytes(v) <= CONFIG_LIMITS.nameBytes;
const isTag = (v: unknown) => typeof v === "string" && HEADER_VALUE.test(v) && bytes(v) <= CONFIG_LIMITS.valueBytes;
const statsName = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, "_");

/** The header a rule reads its key from, or undefined when its key source is invalid. */
function keyHeader(rule: Record<string, unknown>): string | undefined {
  const sources = KEY_SOURCES.filter((s) => s in rule);
  if (sources.length !== 1) return undefined;
  const value = rule[sources[0]];
  if (sources[0] === "header") return isToken(value) ? value.toLowerCase() : undefined;
  if (sources[0] === "cookie") return isToken(value) ? "cookie" : undefined;
  return isText(value, CONFIG_LIMITS.nameBytes) ? ":path" : undefined;
}

/** Ordered policies: cumulative ranges, or weights whose running sum stays within modulo. */
function arePolicies(items: unknown, modulo: number, weighted: boolean): boolean {
  if (!Array.isArray(items) || items.length === 0 || items.length > CONFIG_LIMITS.policies) return false;
  let previous = 0;
  for (const policy of items) {
    if (!isObject(policy) || !hasOnly(policy, weighted ? CONFIG_FIELDS.partitionedPolicy : CONFIG_FIELDS.policy)) return false;
    if (weighted) {
      if (!isInt(policy.weight, 0, modulo - previous)) return false;
      previous += policy.weight as number;
    } else {
      if (!isInt(policy.range, previous, modulo)) return false;
      previous = policy.range as number;
    }
    if (!isTag(policy.tagValue)) return false;
  }
  return true;
}

/** A `match.hosts` entry: a (wildcard) domain or a bracketed IPv6 address as WHATWG URL parses one, a trailing dot allowed. */
function isHost(entry: string): boolean {
  const lower = entry.toLowerCase();
  const host = lower.endsWith(".") && !lower.endsWith("..") && lower.length > 1 ? lower.slice(0, -1) : lower;
  if (!host.startsWith("[")) return DOMAIN.test(host);
  if (!/^\[[0-9a-f:.]+\]$/.test(host)) return false;
  try {
    return new URL(`http://${host}/`).hostname.startsWith("[");
  } catch {
    return false;
  }
}

function isMatchList(items: unknown, valid: (s: string) => boolean): boolean {
  return (
    Array.isArray(items) &&
    items.length > 0 &&
    items.length <= CONFIG_LIMITS.matchEntries &&
    items.every((s) => typeof s === "string" && valid(s))
  );
}

function isMatch(match: unknown): boolean {
  if (!isObject(match) || !hasOnly(match, CONFIG_FIELDS.match)) return false;
  if ("hosts" in match && !isMatchList(match.hosts, (h) => isHost(h) && bytes(h) <= CONFIG_LIMITS.nameBytes)) return false;
  if ("pathPrefixes" in match && !isMatchList(match.pathPrefixes, (p) => PATH_PREFIX.test(p) && bytes(p) <= CONFIG_LIMITS.valueBytes))
    return false;
  return true;
}

function areOverrides(overrides: unknown): boolean {
  if (!isObject(overrides)) return false;
  const entries = Object.entries(overrides);
  return entries.length <= CONFIG_LIMITS.overrides && entries.every(([key, tag]) => isText(key, CONFIG_LIMITS.valueBytes) && isTag(tag));
}

function isValidRule(rule: unknown): boolean {
  if (!isObject(rule) || !hasOnly(rule, CONFIG_FIELDS.rule)) return false;
  if ("name" in rule && !isText(rule.name, CONFIG_LIMITS.nameBytes)) return false;
  const header = keyHeader(rule);
  if (header === undefined) return false;
  if (!isToken(rule.tagHeader) || rule.tagHeader.toLowerCase() === header || isReservedHeader(rule.tagHeader)) return false;
  if ("maxKeyBytes" in rule && !isInt(rule.maxKeyBytes, 1, 98304)) return false;
  if (!isInt(rule.modulo, 1, 0xffffffff)) return false;
  if ("policies" in rule === "partitionedPolicies" in rule) return false;
  const weighted = "partitionedPolicies" in rule;
  if (!arePolicies(weighted ? rule.partitionedPolicies : rule.policies, rule.modulo as number, weighted)) return false;
  if ("seed" in rule && !isText(rule.seed, CONFIG_LIMITS.nameBytes)) return false;
  if ("hash" in rule && rule.hash !== "fnv1a32" && rule.hash !== "fnv1a32-fmix32") return false;
  if ("defaultTagValue" in rule && !isTag(rule.defaultTagValue)) return false;
  if ("overrides" in rule && !areOverrides(rule.overrides)) return false;
  if ("clientTag" in rule && rule.clientTag !== "keep" && rule.clientTag !== "remove") return false;
  if ("match" in rule && !isMatch(rule.match)) return false;
  return true;
}

function isValidDebug(debug: unknown): boolean {
  return isObject(debug) && hasOnly(debug, CONFIG_FIELDS.debug) && (!("enabled" in debug) || typeof debug.enabled === "boolean");
}

function isValidPassThrough(block: unknown): boolean {
  if (!isObject(block) || !hasOnly(block, CONFIG_FIELDS.passThrough)) return false;
  const route = block.routeHeader;
  if (!isToken(route)) return false;
  const routeLower = route.toLowerCase();
  if (isReservedHeader(route)) return false;
  const traceMode = "traceHeader" in block;
  if (traceMode === "baggage" in block) return false;
  if (traceMode) {
    if (!isToken(block.traceHeader) || block.traceHeader.toLowerCase() === routeLower) return false;
    if ("slots" in block && !isInt(block.slots, 1, PASS_THROUGH_LIMITS.slots)) return false;
    if ("ttlSeconds" in block && !isInt(block.ttlSeconds, 1, PASS_THROUGH_LIMITS.ttlSeconds)) return false;
  } else if (!isToken(block.baggage) || routeLower === "baggage" || "slots" in block || "ttlSeconds" in block) {
    return false;
  }
  return !("direction" in block) || ["auto", "inbound", "outbound"].includes(block.direction as string);
}

export function isValidConfig(config: unknown): boolean {
  if (!isObject(config) || !hasOnly(config, CONFIG_FIELDS.top)) return false;
  if ("passThrough" in config) {
    if (!isValidPassThrough(config.passThrough)) return false;
    // With a pass-through, rules are optional.
    if (!("rules" in config)) return !("debug" in config) || isValidDebug(config.debug);
  }
  if ("debug" in config && !isValidDebug(config.debug)) return false;
  const rules = config.rules;
  if (!Array.isArray(rules) || rules.length === 0 || rules.length > CONFIG_LIMITS.rules || !rules.every(isValidRule)) return false;
  // Names label counters: two rules whose names give one stats name would share them.
  const names = rules.map((rule, i) => statsName(typeof rule.name === "string" ? rule.name : `rule_${i}`));
  return new Set(names).size === names.length;
}

/** Whether well-formed JSON `text` has an object with a member name twice (JSON.parse keeps the last silently). */
function hasRepeatedMember(text: string): boolean {
  const objects: Array<Set<string> | null> = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{") objects.push(new Set());
    else if (c === "[") objects.push(null);
    else if (c === "}" || c === "]") objects.pop();
    else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      const name = JSON.parse(text.slice(i, end + 1)) as string;
      i = end;
      let next = end + 1;
      while (" \t\n\r".includes(text[next])) next++;
      const members = objects.at(-1);
      if (members && text[next] === ":") {
        if (members.has(name)) return true;
        members.add(name);
      }
    }
  }
  return false;
}

/** Whether the configuration bytes, as a host delivers them, are a valid configuration. */
export function isValidConfigBytes(bytes: Uint8Array): boolean {
  if (bytes.byteLength > CONFIG_LIMITS.configBytes) return false;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    const config: unknown = JSON.parse(text);
    return !hasRepeatedMember(text) && isValidConfig(config);
  } catch {
    return false;
  }
}
