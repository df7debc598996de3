// `split FILE [IDS|-]`: how large each lane really is for these ids, next to what the config intends,
// and whether the filter's buckets are uniform for them. Ids stream through; memory holds only counts.
import { writeFileSync } from "node:fs";
import { type Bar, type Chart, svg, textBar } from "./chart.ts";
import { CliError } from "./cli-error.ts";
import { FilterDecisions, keyName, type RuleView } from "./decisions.ts";
import { NO_BUCKET, RECORD_WORDS } from "./filter-batch.ts";
import { type IdOptions, idInput } from "./ids.ts";
import { intendedShares } from "./intended-shares.ts";
import { readPluginConfig } from "./plugin-configs.ts";
import type { RequestOptions } from "./request-inputs.ts";
import { colours, count, percent, progress } from "./terminal.ts";
import { type Uniformity, uniformity } from "./uniformity.ts";

export interface SplitOptions extends RequestOptions, IdOptions {
  wasm: string;
  plugin?: string;
  json?: boolean;
  svg?: string;
}

/** Bucket counts are kept for moduli up to this (4 MiB of counts); larger ones are not tested. */
const MAX_TESTED_MODULO = 1 << 20;
const SUGGESTED_HASH = "fnv1a32-fmix32";

class RuleTally {
  readonly lanes = new Map<string, number>();
  readonly buckets?: Uint32Array;

  constructor(readonly rule: RuleView) {
    if (rule.modulo <= MAX_TESTED_MODULO) this.buckets = new Uint32Array(rule.modulo);
  }
}

interface RuleSplit {
  rule: string;
  ids: number;
  lanes: Bar[];
  uniformity: Uniformity | { notRun: string };
  warning?: string;
}

function bucketTest(tally: RuleTally): Uniformity | { notRun: string } {
  if (tally.buckets === undefined) return { notRun: `modulo above ${count(MAX_TESTED_MODULO)}` };
  return uniformity(tally.buckets);
}

function report(tally: RuleTally, ids: number): RuleSplit {
  const intended = intendedShares(tally.rule);
  // Lanes in the config's order, then any the config does not name (no key, overrides, ...).
  const names = [...new Set([...intended.keys(), ...tally.lanes.keys()])];
  const lanes = names.map((lane): Bar => {
    const n = tally.lanes.get(lane) ?? 0;
    return { lane, count: n, share: n / ids, intended: intended.get(lane) };
  });
  const test = bucketTest(tally);
  let warning: string | undefined;
  if ("pValue" in test && !test.uniform) {
    warning = `buckets are not uniform for these ids (chi-square ${test.statistic.toFixed(1)}, ${test.degreesOfFreedom} degrees of freedom, p = ${test.pValue.toPrecision(3)})`;
    // Plain FNV-1a spreads sequential ids unevenly at large moduli; murmur3's finalizer fixes that.
    if (!tally.rule.fmix32) warning += `: try \`hash: ${SUGGESTED_HASH}\``;
  }
  return { rule: tally.rule.name, ids, lanes, uniformity: test, warning };
}

function uniformityLine(test: Uniformity | { notRun: string }): string {
  if ("notRun" in test) return `bucket uniformity not tested: ${test.notRun}`;
  return `buckets uniform (chi-square ${test.statistic.toFixed(1)}, ${test.degreesOfFreedom} degrees of freedom, p = ${test.pValue.toPrecision(3)})`;
}

function print(splits: RuleSplit[], rules: RuleView[], title: string): void {
  console.log(title);
  splits.forEach((split, r) => {
    const rule = rules[r];
    console.log(`\n${colours.bold(split.rule)}: ${keyName(rule)} -> ${rule.tagHeader ?? "tag"}, ${count(split.ids)} ids`);
    const width = Math.max(...split.lanes.map((l) => l.lane.length));
    const countWidth = Math.max(...split.lanes.map((l) => count(l.count).length));
    for (const bar of split.lanes) {
      const intended = bar.intended === undefined ? "" : `  intended ${percent(bar.intended)}`;
      console.log(
        `  ${bar.lane.padEnd(width)}  ${colours.cyan(textBar(bar))}  ${count(bar.count).padStart(countWidth)}  ${percent(bar.share).padStart(7)}${intended}`,
      );
    }
    if (split.warning !== undefined) console.log(`  ${colours.yellow(`warning: ${split.warning}`)}`);
    else console.log(`  ${uniformityLine(split.uniformity)}`);
  });
}

export async function split(file: string, idsPath: string | undefined, options: SplitOptions): Promise<number> {
  const source = readPluginConfig(file, options.plugin);
  const input = idInput(idsPath, options);
  const filter = await FilterDecisions.open(options.wasm, source, options);
  const tallies = filter.rules.map((rule) => new RuleTally(rule));
  let ids = 0;
  const bar = progress("split", input.total);
  try {
    for await (const batch of input.batches) {
      const records = filter.decide(batch.ids);
      tallies.forEach((tally, r) => {
        const rule = records[r];
        for (let i = 0; i < batch.ids.length; i++) {
          const lane = filter.lane(r, rule, i);
          tally.lanes.set(lane, (tally.lanes.get(lane) ?? 0) + 1);
          const bucket = rule[i * RECORD_WORDS + 2];
          if (bucket !== NO_BUCKET && tally.buckets !== undefined) tally.buckets[bucket]++;
        }
      });
      ids += batch.ids.length;
      bar.update(batch.done);
    }
  } finally {
    bar.stop();
  }
  const splits = tallies.map((tally) => report(tally, ids));
  if (options.svg !== undefined) {
    const charts: Chart[] = splits.map((s) => ({
      title: `${s.rule}: ${count(s.ids)} ids`,
      bars: s.lanes,
      note: s.warning ?? uniformityLine(s.uniformity),
    }));
    try {
      writeFileSync(options.svg, svg(charts));
    } catch (e) {
      throw new CliError(`${options.svg}: cannot write: ${(e as Error).message}`);
    }
  }
  if (options.json) console.log(JSON.stringify({ config: `${source.path}: ${source.subject}`, ids, rules: splits }, null, 2));
  else print(splits, filter.rules, `${source.path}: ${source.subject}`);
  return 0;
}
