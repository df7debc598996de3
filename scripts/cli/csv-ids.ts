// Ids from one column of a CSV or TSV export, parsed by csv-parse (RFC 4180: quoted fields, "" inside
// quotes, CRLF, line breaks inside quotes) and streamed in bounded memory, as raw bytes. The column
// is a header name (the first row is then the header) or a 1-based number; with a number, whether
// the first row is a header is detected unless --csv-header says. Empty cells are skipped.

import { extname } from "node:path";
import { Readable } from "node:stream";
import { parse } from "csv-parse";
import { CliError } from "./cli-error.ts";
import { checkedId, trimmed } from "./id-bytes.ts";

export type CsvHeader = "auto" | "yes" | "no";
export const CSV_HEADER_CHOICES: CsvHeader[] = ["auto", "yes", "no"];

/** Rows looked at to tell a header row from data. */
const SNIFF_ROWS = 20;
const BATCH = 4096;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Tab for .tsv and .tab files, comma for .csv; otherwise tab when the first line has one. */
function delimiterOf(name: string, first: Buffer): string {
  const extension = extname(name).toLowerCase();
  if (extension === ".tsv" || extension === ".tab") return "\t";
  if (extension === ".csv") return ",";
  const lineEnd = first.indexOf(0x0a);
  return first.subarray(0, lineEnd < 0 ? undefined : lineEnd).includes(0x09) ? "\t" : ",";
}

/**
 * Whether the first row is a header, judged column by column against the rows after it: a column
 * whose other values are all numbers, or all of one length, votes for a header when the first
 * row's value is not a number, or not of that length, and against it otherwise.
 */
export function looksLikeHeader(rows: string[][]): boolean {
  if (rows.length < 2) return false;
  const [first, ...rest] = rows;
  let votes = 0;
  first.forEach((value, c) => {
    const below = rest.map((row) => row[c] ?? "");
    if (below.every((v) => NUMBER.test(v))) votes += NUMBER.test(value) ? -1 : 1;
    else if (below.every((v) => v.length === below[0].length)) votes += value.length === below[0].length ? -1 : 1;
  });
  return votes > 0;
}

/** The 0-based index of `column` (a header name, or a 1-based number) and whether row 1 is a header. */
function locate(name: string, column: string, header: CsvHeader, rows: Buffer[][]): { index: number; skipFirst: boolean } {
  const first = rows[0].map((field) => field.toString("utf8").trim());
  if (/^\d+$/.test(column)) {
    const index = Number(column) - 1;
    if (index < 0) throw new CliError(`--column ${column}: columns are numbered from 1`);
    if (index >= first.length)
      throw new CliError(`${name}: row 1 has ${first.length} column(s), --column ${column} asks for column ${column}`);
    const text = rows.map((row) => row.map((field) => field.toString("utf8").trim()));
    return { index, skipFirst: header === "yes" || (header === "auto" && looksLikeHeader(text)) };
  }
  if (header === "no")
    throw new CliError(
      `--column ${JSON.stringify(column)} names a header column, but --csv-header is no: give the column's number instead`,
    );
  const index = first.indexOf(column);
  if (index < 0)
    throw new CliError(
      `${name}: the header row (row 1) has no column ${JSON.stringify(column)} (it has: ${first.map((f) => JSON.stringify(f)).join(", ")})`,
    );
  return { index, skipFirst: true };
}

/** Batches of ids from column `column` of the CSV or TSV text in `stream`. */
export async function* readColumn(
  name: string,
  stream: AsyncIterable<Buffer>,
  column: string,
  header: CsvHeader,
): AsyncGenerator<{ ids: Uint8Array[]; done: number }> {
  const chunks = stream[Symbol.asyncIterator]();
  const opening = await chunks.next();
  if (opening.done) throw new CliError(`${name}: no ids (the input is empty)`);
  let done = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for (let next: IteratorResult<Buffer> = opening; !next.done; next = await chunks.next()) {
      done += next.value.length;
      yield next.value;
    }
  }
  const parser = parse({ delimiter: delimiterOf(name, opening.value), encoding: null, bom: true, skip_empty_lines: true });
  const source = Readable.from(counted());
  source.on("error", (error) => parser.destroy(error));
  source.pipe(parser);
  const sniffed: Buffer[][] = [];
  let located: { index: number; skipFirst: boolean } | undefined;
  let row = 0;
  let count = 0;
  let ids: Uint8Array[] = [];
  const take = (record: Buffer[]) => {
    row++;
    if (row === 1 && located!.skipFirst) return;
    const id = trimmed(record[located!.index]);
    if (id.length > 0) ids.push(checkedId(id, `${name}: row ${row}, column ${located!.index + 1}`));
  };
  try {
    for await (const record of parser as AsyncIterable<Buffer[]>) {
      if (located === undefined) {
        sniffed.push(record);
        if (sniffed.length <= SNIFF_ROWS) continue;
        located = locate(name, column, header, sniffed);
        sniffed.forEach(take);
      } else {
        take(record);
      }
      if (ids.length >= BATCH) {
        count += ids.length;
        yield { ids, done };
        ids = [];
      }
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${name}: not valid CSV: ${(error as Error).message}`);
  }
  if (located === undefined && sniffed.length > 0) {
    located = locate(name, column, header, sniffed);
    sniffed.forEach(take);
  }
  count += ids.length;
  if (ids.length > 0) yield { ids, done };
  if (count === 0) throw new CliError(`${name}: no ids in column ${column} (the input holds no rows, or only empty cells)`);
}
