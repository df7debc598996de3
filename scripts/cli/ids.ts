// Ids, one per line, streamed from a file or stdin in bounded memory, handed on as raw bytes: the
// filter hashes a header value's bytes as received, so an id that is not valid UTF-8 is hashed as it
// is, exactly as Envoy would pass it. A line's CR before LF is dropped (CRLF files), and so are spaces
// and tabs around the id (Envoy trims them from header values); blank lines are skipped. An id with a
// NUL or CR byte inside cannot be an HTTP header value, so it is an error.
import { randomBytes } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { CliError } from "./cli-error.ts";
import { type CsvHeader, readColumn } from "./csv-ids.ts";
import { checkedId, LF, MAX_ID_BYTES, trimmed } from "./id-bytes.ts";

export interface IdBatches {
  /** What the progress bar counts up to (bytes of a file, or ids of a sample); undefined when unknown. */
  total?: number;
  /** Batches of ids; `done` is how far along the total each batch brings the input. */
  batches: AsyncIterable<{ ids: Uint8Array[]; done: number }>;
}

async function* linesOf(name: string, stream: AsyncIterable<Buffer>): AsyncGenerator<{ ids: Uint8Array[]; done: number }> {
  let carry: Buffer = Buffer.alloc(0);
  let lineNumber = 0;
  let done = 0;
  let count = 0;
  const check = (id: Uint8Array): Uint8Array => checkedId(id, `${name}:${lineNumber}`);
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

/** A file's size for the progress bar (undefined for a pipe), or a CliError when it cannot be read. */
function sizeOf(path: string): number | undefined {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new CliError(`${path}: is a directory, expected a file of ids`);
    return stat.isFile() ? stat.size : undefined;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${path}: cannot read: ${(e as Error).message}`);
  }
}

/** Ids from a file, or from stdin when `path` is `-`. */
export function readIds(path: string): IdBatches {
  if (path === "-") return { batches: linesOf("stdin", process.stdin) };
  const total = sizeOf(path);
  return { total, batches: linesOf(path, createReadStream(path, { highWaterMark: 1 << 16 })) };
}

/** One column of a CSV or TSV file (or stdin when `path` is `-`). */
function readCsvIds(path: string, column: string, header: CsvHeader): IdBatches {
  if (path === "-") return { batches: readColumn("stdin", process.stdin, column, header) };
  const total = sizeOf(path);
  return { total, batches: readColumn(path, createReadStream(path, { highWaterMark: 1 << 16 }), column, header) };
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
  return [...id]
    .map((b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`))
    .join("");
}

export interface IdOptions {
  sample?: number;
  /** Read ids from this column (a header name, or a 1-based number) of a CSV or TSV file. */
  column?: string;
  csvHeader?: CsvHeader;
}

/** The ids a command runs on: a file (or stdin), or --sample N random ones; exactly one of them. */
export function idInput(path: string | undefined, options: IdOptions): IdBatches {
  if (path !== undefined && options.sample !== undefined) throw new CliError("give an ids file or --sample N, not both");
  if (options.column !== undefined && path === undefined) throw new CliError("--column needs a CSV or TSV file of ids (- for stdin)");
  if (path !== undefined)
    return options.column === undefined ? readIds(path) : readCsvIds(path, options.column, options.csvHeader ?? "auto");
  if (options.sample !== undefined) return sampleIds(options.sample);
  throw new CliError("no ids: give an ids file (- for stdin) or --sample N");
}
