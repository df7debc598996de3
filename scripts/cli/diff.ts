// `diff OLD NEW [IDS|-]`: whom an edit moves. Each id goes through the filter with the old and with the
// new configuration; per rule (matched by name) a from-lane by to-lane matrix counts them.
import { CliError, EXIT } from "./cli-error.ts";
import { FilterDecisions, type RuleView } from "./decisions.ts";
import { type IdOptions, idInput } from "./ids.ts";
import { intendedShares } from "./intended-shares.ts";
import { readPluginConfig } from "./plugin-configs.ts";
import type { RequestOptions } from "./request-inputs.ts";
import { reshuffleFlags } from "./reshuffles.ts";
import { colours, count, percent, progress } from "./terminal.ts";

export interface DiffOptions extends RequestOptions, IdOptions {
  wasm: string;
  plugin?: string;
  json?: boolean;
  expectOnlyInto?: string;
}

type Matrix = Map<string, Map<string, number>>;

interface RulePair {
  name: string;
  old: number;
  new: number;
  matrix: Matrix;
}

export interface RuleDiff {
  rule: string;
  ids: number;
  movers: number;
  moverShare: number;
  /** matrix[from][to] = ids. */
  matrix: Record<string, Record<string, number>>;
  shares: Record<string, { old: number; new: number }>;
  flags: string[];
}

/** Lanes in the configurations' order, then any other lane the ids met (no key, overrides, ...). */
function lanesOf(matrix: Matrix, intended: Array<Map<string, number>>): string[] {
  const met = new Set<string>();
  for (const [from, row] of matrix) {
    met.add(from);
    for (const to of row.keys()) met.add(to);
  }
  const configured = intended.flatMap((shares) => [...shares.keys()]).filter((lane) => met.has(lane));
  return [...new Set([...configured, ...[...met].sort()])];
}

/** Whether a lane grows: by the intended shares when either configuration names it, else as observed. */
function grows(lane: string, observed: { old: number; new: number }, intended: Array<Map<string, number>>): boolean {
  const [before, after] = intended;
  if (before.has(lane) || after.has(lane)) return (after.get(lane) ?? 0) > (before.get(lane) ?? 0);
  return observed.new > observed.old;
}

function summarize(pair: RulePair, oldRule: RuleView, newRule: RuleView, ids: number): RuleDiff {
  const intended = [intendedShares(oldRule), intendedShares(newRule)];
  const lanes = lanesOf(pair.matrix, intended);
  const cell = (from: string, to: string) => pair.matrix.get(from)?.get(to) ?? 0;
  const matrix: RuleDiff["matrix"] = {};
  const shares: RuleDiff["shares"] = {};
  let movers = 0;
  for (const from of lanes) {
    matrix[from] = {};
    for (const to of lanes) {
      matrix[from][to] = cell(from, to);
      if (from !== to) movers += cell(from, to);
    }
  }
  const flags: string[] = [];
  for (const lane of lanes) {
    const before = lanes.reduce((sum, to) => sum + cell(lane, to), 0);
    const after = lanes.reduce((sum, from) => sum + cell(from, lane), 0);
    shares[lane] = { old: before / ids, new: after / ids };
    const leaving = before - cell(lane, lane);
    if (leaving > 0 && grows(lane, shares[lane], intended)) {
      flags.push(
        `${count(leaving)} users leave ${lane} although it grows (${percent(shares[lane].old)} -> ${percent(shares[lane].new)}): a ramp should only move users into a growing lane`,
      );
    }
  }
  flags.push(...reshuffleFlags(oldRule, newRule));
  return { rule: pair.name, ids, movers, moverShare: movers / ids, matrix, shares, flags };
}

function print(diffs: RuleDiff[], unmatched: string[], title: string): void {
  console.log(title);
  for (const note of unmatched) console.log(colours.yellow(note));
  for (const d of diffs) {
    console.log(`\n${colours.bold(d.rule)}: ${count(d.ids)} ids, ${count(d.movers)} (${percent(d.moverShare)}) change lane`);
    const lanes = Object.keys(d.matrix);
    const head = ["from \\ to", ...lanes];
    const rows = lanes.map((from) => [from, ...lanes.map((to) => count(d.matrix[from][to]))]);
    const widths = head.map((_, c) => Math.max(...[head, ...rows].map((row) => row[c].length)));
    const line = (row: string[]) => `  ${row.map((text, c) => (c === 0 ? text.padEnd(widths[c]) : text.padStart(widths[c]))).join("  ")}`;
    console.log(colours.dim(line(head)));
    for (const row of rows) console.log(line(row));
    console.log(`  shares: ${lanes.map((l) => `${l} ${percent(d.shares[l].old)} -> ${percent(d.shares[l].new)}`).join(", ")}`);
    for (const flag of d.flags) console.log(`  ${colours.yellow(`flag: ${flag}`)}`);
    if (d.flags.length === 0)
      console.log(`  ${colours.green("no flags: nobody leaves a lane that grows, and no edit reshuffles buckets")}`);
  }
}

/** Users who move anywhere but into `lane`, in every rule (leaving `lane` included). */
function unexpectedMoves(diffs: RuleDiff[], lane: string): number {
  if (!diffs.some((d) => lane in d.matrix)) {
    throw new CliError(
      `--expect-only-into ${lane}: no rule has a lane ${lane} for these ids (lanes: ${[...new Set(diffs.flatMap((d) => Object.keys(d.matrix)))].join(", ")})`,
    );
  }
  let moves = 0;
  for (const d of diffs) {
    for (const [from, row] of Object.entries(d.matrix))
      for (const [to, n] of Object.entries(row)) if (from !== to && to !== lane) moves += n;
  }
  return moves;
}

export async function diff(oldFile: string, newFile: string, idsPath: string | undefined, options: DiffOptions): Promise<number> {
  const oldSource = readPluginConfig(oldFile, options.plugin);
  const newSource = readPluginConfig(newFile, options.plugin);
  const input = idInput(idsPath, options);
  const before = await FilterDecisions.open(options.wasm, oldSource, options);
  const after = await FilterDecisions.open(options.wasm, newSource, options);
  const pairs: RulePair[] = before.rules
    .map((rule, i) => ({ name: rule.name, old: i, new: after.rules.findIndex((r) => r.name === rule.name), matrix: new Map() }))
    .filter((pair) => pair.new >= 0);
  const unmatched = [
    ...before.rules.filter((r) => !pairs.some((p) => p.name === r.name)).map((r) => `rule ${r.name} is only in ${oldFile}: not compared`),
    ...after.rules.filter((r) => !pairs.some((p) => p.name === r.name)).map((r) => `rule ${r.name} is only in ${newFile}: not compared`),
  ];
  let ids = 0;
  const bar = progress("diff", input.total);
  try {
    for await (const batch of input.batches) {
      const was = before.decide(batch.ids);
      const is = after.decide(batch.ids);
      for (const pair of pairs) {
        for (let i = 0; i < batch.ids.length; i++) {
          const from = before.lane(pair.old, was[pair.old], i);
          const to = after.lane(pair.new, is[pair.new], i);
          let row = pair.matrix.get(from);
          if (row === undefined) pair.matrix.set(from, (row = new Map()));
          row.set(to, (row.get(to) ?? 0) + 1);
        }
      }
      ids += batch.ids.length;
      bar.update(batch.done);
    }
  } finally {
    bar.stop();
  }
  const diffs = pairs.map((pair) => summarize(pair, before.rules[pair.old], after.rules[pair.new], ids));
  const title = `${oldSource.path}: ${oldSource.subject} -> ${newSource.path}: ${newSource.subject}`;
  const gate =
    options.expectOnlyInto === undefined
      ? undefined
      : { lane: options.expectOnlyInto, unexpectedMoves: unexpectedMoves(diffs, options.expectOnlyInto) };
  if (options.json)
    console.log(
      JSON.stringify(
        {
          old: `${oldSource.path}: ${oldSource.subject}`,
          new: `${newSource.path}: ${newSource.subject}`,
          ids,
          unmatched,
          rules: diffs,
          expectOnlyInto: gate,
        },
        null,
        2,
      ),
    );
  else print(diffs, unmatched, title);
  if (gate !== undefined && gate.unexpectedMoves > 0) {
    console.error(
      `hash-tagging: --expect-only-into ${gate.lane}: ${count(gate.unexpectedMoves)} users move elsewhere than into ${gate.lane}`,
    );
    return EXIT.unexpectedMove;
  }
  return 0;
}
