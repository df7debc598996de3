// One id as the filter will see it: the bytes of a header value, trimmed as Envoy trims them, and
// refused when no HTTP header value can carry them.
import { CliError } from "./cli-error.ts";

/** Envoy's default limit for all request headers together (60 KiB) bounds a single id too. */
export const MAX_ID_BYTES = 60 * 1024;
export const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

const isBlank = (b: number) => b === SPACE || b === TAB;

/** Without a CR before the line end, nor spaces and tabs around it. */
export function trimmed(line: Uint8Array): Uint8Array {
  let start = 0;
  let end = line.length;
  if (end > 0 && line[end - 1] === CR) end--;
  while (start < end && isBlank(line[start])) start++;
  while (end > start && isBlank(line[end - 1])) end--;
  return line.subarray(start, end);
}

/** The id, or a CliError at `where` when no HTTP header value can carry it. */
export function checkedId(id: Uint8Array, where: string): Uint8Array {
  if (id.length > MAX_ID_BYTES) throw new CliError(`${where}: id longer than ${MAX_ID_BYTES} bytes`);
  const bad = id.findIndex((b) => b === 0 || b === CR || b === LF);
  if (bad >= 0)
    throw new CliError(
      `${where}: id holds a ${id[bad] === 0 ? "NUL" : id[bad] === CR ? "CR" : "LF"} byte at column ${bad + 1}, which no HTTP header value can carry`,
    );
  return id;
}
