// An independent statement of what a configuration does to a request's headers (README, "Semantics"),
// used as the oracle of the request fuzzer. Written from the README, not from assembly/: cookies split
// as RFC 6265 writes them, query parameters decoded by Node's URLSearchParams.
import { isIP } from "node:net";
import { type HashName, ruleHash } from "./fnv1a.ts";

export type Headers = Array<[string, string]>;

interface Rule {
  header?: string;
  cookie?: string;
  query?: string;
  modulo: number;
  tagHeader: string;
  policies?: Array<{ range: number; tagValue: string }>;
  partitionedPolicies?: Array<{ weight: number; tagValue: string }>;
  match?: { hosts?: string[]; pathPrefixes?: string[] };
  seed?: string;
  hash?: HashName;
  defaultTagValue?: string;
  overrides?: Record<string, string>;
  clientTag?: "keep" | "remove";
  maxKeyBytes?: number;
}

const first = (headers: Headers, name: string) => headers.find(([n]) => n === name.toLowerCase())?.[1];
const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * A host in one form: lowercase without a trailing dot, IP literals as WHATWG URL writes them (IPv4
 * only in plain dotted decimal, leading zeros read as decimal); undefined when it is not a host.
 */
function hostForm(text: string): string | undefined {
  const host = lower(text.endsWith(".") && !text.endsWith("..") ? text.slice(0, -1) : text);
  if (host.startsWith("[")) {
    if (!host.endsWith("]") || isIP(host.slice(1, -1)) !== 6) return undefined;
    return new URL(`http://${host}/`).hostname;
  }
  const parts = host.split(".");
  if (parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p))) {
    return parts.every((p) => Number(p) <= 255) ? parts.map(Number).join(".") : undefined;
  }
  return /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(host) ? host : undefined;
}

function hostMatches(patterns: string[], authority: string): boolean {
  const at = authority.startsWith("[")
    ? authority.indexOf("]") + 1
    : authority.indexOf(":") < 0
      ? authority.length
      : authority.indexOf(":");
  if (at <= 0 || !/^(:[0-9]*)?$/.test(authority.slice(at))) return false;
  const host = hostForm(authority.slice(0, at));
  if (host === undefined) return false;
  return patterns.some((p) => {
    if (!p.startsWith("*.")) return host === hostForm(p);
    const suffix = lower(p.slice(1));
    return host.endsWith(suffix) && host.length > suffix.length && isIP(host.replace(/^\[|\]$/g, "")) === 0;
  });
}

function cookieValue(header: string, name: string): string | undefined {
  for (const pair of header.split(";")) {
    const at = pair.indexOf("=");
    if (at >= 0 && pair.slice(0, at).replace(/^[ \t]+|[ \t]+$/g, "") === name) return pair.slice(at + 1).replace(/^[ \t]+|[ \t]+$/g, "");
  }
  return undefined;
}

/** The decoded value of the parameter; undefined also when its value as sent (encoded) is over `maxBytes`. */
function queryValue(path: string, name: string, maxBytes?: number): string | undefined {
  const start = path.indexOf("?");
  if (start < 0) return undefined;
  const end = path.indexOf("#", start);
  const query = path.slice(start + 1, end < 0 ? undefined : end);
  const value = new URLSearchParams(query).get(name) ?? undefined;
  if (value === undefined || maxBytes === undefined) return value;
  const sent = query.split("&").find((p) => new URLSearchParams(p).has(name));
  const encoded = sent === undefined ? "" : sent.slice(sent.indexOf("=") + 1 || sent.length);
  return sent?.includes("=") && encoded.length > maxBytes ? undefined : value;
}

/** The key bytes a rule reads from the request, or undefined (missing or empty). */
function keyOf(rule: Rule, headers: Headers): Buffer | undefined {
  let key: string | undefined;
  // maxKeyBytes counts the key as sent: a header's or cookie's bytes, a query parameter still encoded.
  const withinCap = (sent: Buffer) => rule.maxKeyBytes === undefined || sent.length <= rule.maxKeyBytes;
  if (rule.header !== undefined) {
    const value = first(headers, rule.header);
    return value && withinCap(Buffer.from(value, "latin1")) ? Buffer.from(value, "latin1") : undefined;
  }
  if (rule.cookie !== undefined) {
    key = cookieValue(first(headers, "cookie") ?? "", rule.cookie);
    return key && withinCap(Buffer.from(key, "latin1")) ? Buffer.from(key, "latin1") : undefined;
  }
  key = queryValue(first(headers, ":path") ?? "", rule.query!, rule.maxKeyBytes);
  return key ? Buffer.from(key, "utf8") : undefined;
}

function ranges(rule: Rule): Array<{ range: number; tagValue: string }> {
  if (rule.policies) return rule.policies;
  let sum = 0;
  return rule.partitionedPolicies!.map((p) => ({ range: (sum += p.weight), tagValue: p.tagValue }));
}

/** The tag a rule writes (a string), removes (null), or leaves as it was (undefined); `skip` when out of scope. */
function decision(rule: Rule, headers: Headers): string | null | undefined {
  const key = keyOf(rule, headers);
  if (key !== undefined) {
    for (const [overrideKey, tag] of Object.entries(rule.overrides ?? {})) if (Buffer.from(overrideKey, "utf8").equals(key)) return tag;
    const bucket = ruleHash(key, { seed: rule.seed, hash: rule.hash }) % rule.modulo;
    const policy = ranges(rule).find((p) => bucket < p.range);
    if (policy) return policy.tagValue;
  }
  if (rule.defaultTagValue !== undefined) return rule.defaultTagValue;
  return rule.clientTag === "remove" ? null : undefined;
}

/**
 * The request's headers after every rule of `config`, in order. clientTag "remove" strips the
 * client's tag whenever the rule writes none, in scope or not, but never a tag an earlier rule of
 * the same request wrote.
 */
export function expectedHeaders(config: { rules: Rule[] }, request: Headers): Headers {
  let headers = request.map(([n, v]) => [n.toLowerCase(), v] as [string, string]);
  const written = new Set<string>();
  for (const rule of config.rules) {
    const match = rule.match;
    const inScope =
      !(match?.hosts && !hostMatches(match.hosts, first(headers, ":authority") ?? "")) &&
      !(match?.pathPrefixes && !match.pathPrefixes.some((p) => (first(headers, ":path") ?? "").startsWith(p)));
    const tag = inScope ? decision(rule, headers) : rule.clientTag === "remove" ? null : undefined;
    if (tag === undefined) continue;
    const tagHeader = lower(rule.tagHeader);
    if (tag === null && written.has(tagHeader)) continue;
    headers = headers.filter(([n]) => n !== tagHeader);
    if (tag !== null) {
      headers.push([tagHeader, tag]);
      written.add(tagHeader);
    }
  }
  return headers;
}
