// The request each id is sent in, as the gateway would see it: the id placed where each rule reads
// its key (its `header`, its `cookie` in the Cookie header, or its `query` parameter in :path), plus
// what the options add (`--header k=v`, `--cookie`, `--host`, `--path`). Given per rule as the three
// values the filter reads: the key's header, :authority and :path.
import { CliError } from "./cli-error.ts";
import type { FilterRule, HeaderValue, RuleRequest, ValueTemplate } from "./filter-batch.ts";

export interface RequestOptions {
  header: string[];
  cookie?: string;
  host?: string;
  path?: string;
}

const COOKIE = "cookie";
const PATH = ":path";
const AUTHORITY = ":authority";
const bytes = (value: string): Buffer => Buffer.from(value, "utf8");

/** The headers the options give every request, first value of each name (as the filter reads them). */
function givenHeaders(options: RequestOptions): Map<string, Uint8Array> {
  const given = new Map<string, Uint8Array>([[PATH, bytes(options.path ?? "/")]]);
  if (options.host !== undefined) given.set(AUTHORITY, bytes(options.host));
  if (options.cookie !== undefined) given.set(COOKIE, bytes(options.cookie));
  for (const pair of options.header) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new CliError(`--header ${JSON.stringify(pair)}: expected NAME=VALUE`);
    const name = pair.slice(0, equals).trim().toLowerCase();
    if (!given.has(name)) given.set(name, bytes(pair.slice(equals + 1)));
  }
  return given;
}

/** The header a rule reads its key from. */
export const keyHeaderOf = (rule: FilterRule): string =>
  rule.key.source === "cookie" ? COOKIE : rule.key.source === "query" ? PATH : rule.key.name;

/** What each rule reads from the request an id is sent in. */
export function ruleRequests(options: RequestOptions, rules: FilterRule[]): RuleRequest[] {
  const names = (source: string) => [...new Set(rules.filter((r) => r.key.source === source).map((r) => r.key.name))];
  const keyHeaders = new Set(names("header"));
  const cookies = names("cookie");
  const queries = names("query");
  const given = givenHeaders(options);
  const values = new Map<string, HeaderValue>();
  // The id replaces what the options gave a key header; the Cookie header and :path are extended.
  const headerValueOf = (header: string): HeaderValue => {
    let value = values.get(header);
    if (value !== undefined) return value;
    if (keyHeaders.has(header)) value = { perId: ["id"] };
    else if (header === COOKIE && cookies.length > 0) {
      const prefix = given.get(COOKIE);
      const template: ValueTemplate = prefix === undefined ? [] : [prefix];
      cookies.forEach((name, i) => template.push(bytes(`${i > 0 || prefix ? "; " : ""}${name}=`), "id"));
      value = { perId: template };
    } else if (header === PATH && queries.length > 0) {
      const path = given.get(PATH)!;
      const template: ValueTemplate = [path, bytes(path.includes(0x3f) ? "&" : "?")];
      queries.forEach((name, i) => template.push(bytes(`${i > 0 ? "&" : ""}${name}=`), "encoded-id"));
      value = { perId: template };
    } else {
      value = { constant: given.get(header) };
    }
    values.set(header, value);
    return value;
  };
  return rules.map((rule) => ({ value: headerValueOf(keyHeaderOf(rule)), authority: headerValueOf(AUTHORITY), path: headerValueOf(PATH) }));
}
