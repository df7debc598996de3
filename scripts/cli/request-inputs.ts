// The request each id is sent in: the id as the value of every rule's key header, plus what the
// options add (`--header k=v`, `--cookie`, `--host`, `--path`), as the gateway would see them.
import { CliError } from "./cli-error.ts";

export interface RequestOptions {
  header: string[];
  cookie?: string;
  host?: string;
  path?: string;
}

type Entry = [string, Uint8Array];

const bytes = (value: string): Uint8Array => Buffer.from(value, "utf8");

/** The headers every request carries, whatever the id. */
export function baseHeaders(options: RequestOptions): Entry[] {
  const entries: Entry[] = [
    [":method", bytes("GET")],
    [":scheme", bytes("http")],
    [":path", bytes(options.path ?? "/")],
  ];
  if (options.host !== undefined) entries.push([":authority", bytes(options.host)]);
  if (options.cookie !== undefined) entries.push(["cookie", bytes(options.cookie)]);
  for (const pair of options.header) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new CliError(`--header ${JSON.stringify(pair)}: expected NAME=VALUE`);
    entries.push([pair.slice(0, equals).trim().toLowerCase(), bytes(pair.slice(equals + 1))]);
  }
  return entries;
}

/** A function building one id's request: the id replaces any value the options gave its key headers. */
export function requestBuilder(options: RequestOptions, keyHeaders: string[]): (id: Uint8Array) => Entry[] {
  const keys = new Set(keyHeaders);
  const base = baseHeaders(options).filter(([name]) => !keys.has(name));
  return (id) => [...base, ...keyHeaders.map((name): Entry => [name, id])];
}
