// `which FILE ID...`: per id and rule, the bucket, the tag and why, as the compiled filter decides them.
import { BATCH_IDS, explain, FilterDecisions } from "./decisions.ts";
import { printableId, readIds } from "./ids.ts";
import { readPluginConfig } from "./plugin-configs.ts";
import type { RequestOptions } from "./request-inputs.ts";
import { colours } from "./terminal.ts";

export interface WhichOptions extends RequestOptions {
  wasm: string;
  plugin?: string;
  json?: boolean;
}

interface Row {
  id: string;
  rule: string;
  bucket?: number;
  modulo?: number;
  tagHeader?: string;
  tag?: string;
  outcome: string;
  index?: number;
  why: string;
}

async function idsFrom(args: string[]): Promise<Uint8Array[]> {
  if (args.length !== 1 || args[0] !== "-") return args.map((id) => Buffer.from(id, "utf8"));
  const ids: Uint8Array[] = [];
  for await (const batch of readIds("-").batches) ids.push(...batch.ids.map((id) => Uint8Array.from(id)));
  return ids;
}

export async function which(file: string, idArgs: string[], options: WhichOptions): Promise<number> {
  const filter = await FilterDecisions.open(options.wasm, readPluginConfig(file, options.plugin), options);
  const ids = await idsFrom(idArgs);
  const rows: Row[] = [];
  for (let start = 0; start < ids.length; start += BATCH_IDS) {
    const batch = ids.slice(start, start + BATCH_IDS);
    const records = filter.decide(batch);
    batch.forEach((id, i) => {
      filter.rules.forEach((rule, r) => {
        const decision = filter.decision(r, records[r], i);
        rows.push({ id: printableId(id), ...decision, tagHeader: rule.tagHeader, why: explain(decision, rule) });
      });
    });
  }
  if (options.json) {
    console.log(JSON.stringify(rows, null, 2));
    return 0;
  }
  const cells = rows.map((row) => [
    row.id,
    row.rule,
    row.bucket === undefined ? "-" : `bucket ${row.bucket} of ${row.modulo}`,
    row.tag === undefined ? "no tag" : `${row.tagHeader}: ${row.tag}`,
    row.why,
  ]);
  const widths = cells[0].map((_, c) => cells.reduce((width, cell) => Math.max(width, cell[c].length), 0));
  for (const [i, cell] of cells.entries()) {
    const padded = cell.map((text, c) => (c === cell.length - 1 ? text : text.padEnd(widths[c])));
    padded[3] = rows[i].tag === undefined ? colours.dim(padded[3]) : colours.bold(padded[3]);
    console.log(padded.join("  "));
  }
  return 0;
}
