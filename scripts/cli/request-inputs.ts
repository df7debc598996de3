// The request each id is sent in, as the gateway would see it: the id placed where each rule reads
// its key (its `header`, its `cookie` in the Cookie header, or its `query` parameter in :path), plus
// what the options add (`--header k=v`, `--cookie`, `--host`, `--path`).
import { CliError } from "./cli-error.ts";
import type { RuleView } from "./decisions.ts";

export interface RequestOptions {
  header: string[];
  cookie?: string;
  host?: string;
  path?: string;
}

type Entry = [string, Uint8Array];

const COOKIE = "cookie";
const PATH = ":path";
const bytes = (value: string): Buffer => Buffer.from(value, "utf8");

/** The headers every request carries, whatever the id. */
function baseHeaders(options: RequestOptions): Entry[] {
  const entries: Entry[] = [
    [":method", bytes("GET")],
    [":scheme", bytes("http")],
    [PATH, bytes(options.path ?? "/")],
  ];
  if (options.host !== undefined) entries.push([":authority", bytes(options.host)]);
  if (options.cookie !== undefined) entries.push([COOKIE, bytes(options.cookie)]);
  for (const pair of options.header) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new CliError(`--header ${JSON.stringify(pair)}: expected NAME=VALUE`);
    entries.push([pair.slice(0, equals).trim().toLowerCase(), bytes(pair.slice(equals + 1))]);
  }
  return entries;
}

/** Percent-encodes every byte but unreserved ones, so the filter's decoding gives the id's bytes back. */
function percentEncoded(id: Uint8Array): Buffer {
  let out = "";
  for (const b of id) out += /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  return Buffer.from(out, "latin1");
}

/** A function building one id's request for these rules. */
export function requestBuilder(options: RequestOptions, rules: RuleView[]): (id: Uint8Array) => Entry[] {
  const names = (source: string) => [...new Set(rules.filter((r) => r.key?.source === source).map((r) => r.key!.name))];
  const headers = names("header");
  const cookies = names("cookie");
  const queries = names("query");
  const base = baseHeaders(options);
  const given = (name: string) => base.find(([n]) => n === name)?.[1];
  // The id replaces what the options gave a key header; the Cookie header and :path are extended.
  const replaced = new Set([...headers, ...(cookies.length > 0 ? [COOKIE] : []), ...(queries.length > 0 ? [PATH] : [])]);
  const kept = base.filter(([name]) => !replaced.has(name));
  const cookiePrefix = given(COOKIE);
  const path = given(PATH)!;
  const separator = bytes(path.includes(0x3f) ? "&" : "?");
  return (id) => {
    const entries: Entry[] = [...kept, ...headers.map((name): Entry => [name, id])];
    if (cookies.length > 0) {
      const pairs = cookies.flatMap((name, i) => [bytes(`${i > 0 || cookiePrefix ? "; " : ""}${name}=`), Buffer.from(id)]);
      entries.push([COOKIE, Buffer.concat([...(cookiePrefix ? [cookiePrefix] : []), ...pairs])]);
    }
    if (queries.length > 0) {
      const value = percentEncoded(id);
      const pairs = queries.flatMap((name, i) => [bytes(`${i > 0 ? "&" : ""}${name}=`), value]);
      entries.push([PATH, Buffer.concat([path, separator, ...pairs])]);
    }
    return entries;
  };
}
