// Ids, one per line, streamed from a file or stdin in bounded memory, handed on as raw bytes: the
// filter hashes a header value's bytes as received, so an id that is not valid UTF-8 is hashed as it
// is, exactly as Envoy would pass it. A line's CR before LF is dropped (CRLF files), and so are spaces
// and tabs around the id (Envoy trims them from header values); blank lines are skipped. An id with a
// NUL or CR byte inside cannot be an HTTP header value, so it is an error.
import { randomBytes } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { CliError } from "./cli-error.ts";

/** Envoy's default limit for all request headers together (60 KiB) bounds a single id too. */
const MAX_ID_BYTES = 60 * 1024;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

export interface IdBatches {
  /** What the progress bar counts up to (bytes of a file, or ids of a sample); undefined when unknown. */
  total?: number;
  /** Batches of ids; `done` is how far along the total each batch brings the input. */
  batches: AsyncIterable<{ ids: Uint8Array[]; done: number }>;
}

const isBlank = (b: number) => b === SPACE || b === TAB;

function trimmed(line: Uint8Array): Uint8Array {
  let start = 0;
  let end = line.length;
  if (end > 0 && line[end - 1] === CR) end--;
  while (start < end && isBlank(line[start])) start++;
  while (end > start && isBlank(line[end - 1])) end--;
  return line.subarray(start, end);
}

async function* linesOf(name: string, stream: AsyncIterable<Buffer>): AsyncGenerator<{ ids: Uint8Array[]; done: number }> {
  let carry: Buffer = Buffer.alloc(0);
  let lineNumber = 0;
  let done = 0;
  let count = 0;
  const check = (id: Uint8Array): Uint8Array => {
    if (id.length > MAX_ID_BYTES) throw new CliError(`${name}:${lineNumber}: id longer than ${MAX_ID_BYTES} bytes`);
    const bad = id.findIndex((b) => b === 0 || b === CR);
    if (bad >= 0) throw new CliError(`${name}:${lineNumber}: id holds a ${id[bad] === 0 ? "NUL" : "CR"} byte at column ${bad + 1}, which no HTTP header value can carry`);
    return id;
  };
  for await (const chunk of stream) {
    done += chunk.length;
    const ids: Uint8Array[] = [];
    let start = 0;
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    for (let lf = data.indexOf(LF, start); lf >= 0; lf = data.indexOf(LF, start)) {
      lineNumber++;
      const id = trimmed(data.subarray(start, lf));
      if (id.length > 0) ids.push(check(id));
      start = lf + 1;
    }
    carry = data.subarray(start);
    if (carry.length > MAX_ID_BYTES + 2) throw new CliError(`${name}:${lineNumber + 1}: id longer than ${MAX_ID_BYTES} bytes`);
    // The ids point into `data`, which the next chunk no longer touches.
    count += ids.length;
    yield { ids, done };
  }
  lineNumber++;
  const last = trimmed(carry);
  if (last.length > 0) {
    count++;
    yield { ids: [check(last)], done };
  }
  if (count === 0) throw new CliError(`${name}: no ids (the input is empty or holds only blank lines)`);
}

/** Ids from a file, or from stdin when `path` is `-`. */
export function readIds(path: string): IdBatches {
  if (path === "-") return { batches: linesOf("stdin", process.stdin) };
  let total: number | undefined;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new CliError(`${path}: is a directory, expected a file of ids`);
    total = stat.isFile() ? stat.size : undefined;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${path}: cannot read: ${(e as Error).message}`);
  }
  const stream = createReadStream(path, { highWaterMark: 1 << 16 });
  return { total, batches: linesOf(path, stream) };
}

/** `count` random ids (16 hex digits each), generated in batches. */
function sampleIds(count: number): IdBatches {
  async function* batches() {
    const BATCH = 4096;
    for (let done = 0; done < count; ) {
      const n = Math.min(BATCH, count - done);
      const hex = randomBytes(8 * n).toString("hex");
      const ids = Array.from({ length: n }, (_, i) => Buffer.from(hex.slice(16 * i, 16 * i + 16), "latin1"));
      done += n;
      yield { ids, done };
    }
  }
  return { total: count, batches: batches() };
}

/** An id as text for people: valid UTF-8 as is, any other byte (and control bytes) as \xHH. */
export function printableId(id: Uint8Array): string {
  if (id.length === 0) return '""';
  const text = Buffer.from(id).toString("utf8");
  if (!text.includes("\uFFFD") && !/[\x00-\x1f\x7f]/.test(text)) return text;
  return [...id].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join("");
}

/** The ids a command runs on: a file (or stdin), or --sample N random ones; exactly one of them. */
export function idInput(path: string | undefined, sample: number | undefined): IdBatches {
  if (path !== undefined && sample !== undefined) throw new CliError("give an ids file or --sample N, not both");
  if (path !== undefined) return readIds(path);
  if (sample !== undefined) return sampleIds(sample);
  throw new CliError("no ids: give an ids file (- for stdin) or --sample N");
}
