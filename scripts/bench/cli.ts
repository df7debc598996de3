// `npm run bench:cli`: how fast `split` and `diff` can learn each id's lane, in ids/s, side by side in
// one run on the same ids: the old path (one request per id through the Node Proxy-Wasm host, the
// bucket read back from the filter's debug log line), the new path (the filter's batch decision
// export, as split and diff run it), and a plain JavaScript FNV-1a loop as the limit. Then the
// commands themselves, as processes, on the same ids in a file.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { BATCH_IDS, FilterDecisions } from "../cli/decisions.ts";
import { readPluginConfig } from "../cli/plugin-configs.ts";
import { HeaderMap, loadPlugin } from "../lib/host/index.ts";
import { PLUGIN_WASM, REPO_ROOT } from "../lib/paths.ts";

const IDS = Number(process.env.BENCH_CLI_IDS ?? 1_000_000);
const SHIPPED = join(REPO_ROOT, "deploy/istio/base/wasmplugin.yaml");
const BIN = join(REPO_ROOT, "scripts/cli/hash-tagging.js");
const DECISION_LOG = /: bucket (\d+) of \d+ -> /;

const source = readPluginConfig(SHIPPED);
const config = source.config as { rules: Array<{ header: string; modulo: number; policies: Array<{ range: number; tagValue: string }> }> };
const rule = config.rules[0];
const ids = Array.from({ length: IDS }, (_, i) => Buffer.from(`user-${i}-${Math.imul(i, 2654435761) >>> 0}`, "latin1"));

async function timed(
  name: string,
  run: () => Map<string, number> | Promise<Map<string, number>>,
): Promise<{ name: string; seconds: number; lanes: Map<string, number> }> {
  const start = performance.now();
  const lanes = await run();
  return { name, seconds: (performance.now() - start) / 1000, lanes };
}

const tally = (lanes: Map<string, number>, lane: string) => lanes.set(lane, (lanes.get(lane) ?? 0) + 1);

/** What split did before the batch export: a request per id, the bucket from the debug log line, the tag from the header. */
async function oldPath(): Promise<Map<string, number>> {
  const plugin = await loadPlugin(PLUGIN_WASM);
  if (!plugin.configure(JSON.stringify({ ...config, debug: { enabled: true } })).accepted)
    throw new Error("the shipped config was refused");
  const lanes = new Map<string, number>();
  const buckets = new Uint32Array(rule.modulo);
  for (const id of ids) {
    const result = plugin.request(
      new HeaderMap([
        [":method", "GET"],
        [":path", "/"],
        [rule.header, id],
      ]),
    );
    for (const { message } of result.logs) {
      const line = DECISION_LOG.exec(message);
      if (line !== null) buckets[Number(line[1])]++;
    }
    plugin.logs.length = 0;
    tally(lanes, result.headers.getText("x-asm-prefer-tag") ?? "(none)");
  }
  return lanes;
}

async function newPath(): Promise<Map<string, number>> {
  const filter = await FilterDecisions.open(PLUGIN_WASM, source, { header: [] });
  const lanes = new Map<string, number>();
  for (let start = 0; start < ids.length; start += BATCH_IDS) {
    const batch = ids.slice(start, start + BATCH_IDS);
    const [records] = filter.decide(batch);
    for (let i = 0; i < batch.length; i++) tally(lanes, filter.lane(0, records, i));
  }
  return lanes;
}

function plainFnv1a(): Map<string, number> {
  const lanes = new Map<string, number>();
  for (const id of ids) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id[i], 0x01000193);
    const bucket = (hash >>> 0) % rule.modulo;
    tally(lanes, rule.policies.find((p) => bucket < p.range)?.tagValue ?? "(past_last_range)");
  }
  return lanes;
}

function command(name: string, args: string[]): { name: string; seconds: number } {
  const start = performance.now();
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
  return { name, seconds: (performance.now() - start) / 1000 };
}

const rows = [
  await timed("old path: a request per id through the host, bucket from the debug log", oldPath),
  await timed("new path: the filter's batch decision export (split, diff)", newPath),
  await timed("limit: plain JavaScript FNV-1a loop", plainFnv1a),
];

const lanesText = (lanes: Map<string, number>) =>
  [...lanes]
    .sort()
    .map(([lane, n]) => `${lane} ${n}`)
    .join(", ");
const agreed = rows.every((row) => lanesText(row.lanes) === lanesText(rows[2].lanes));

const scratch = mkdtempSync(join(tmpdir(), "bench-cli-"));
const idsFile = join(scratch, "ids.txt");
writeFileSync(idsFile, `${ids.map((id) => id.toString("latin1")).join("\n")}\n`);
const commands = [
  command("`hash-tagging split` process, ids from a file", ["split", "--json", SHIPPED, idsFile]),
  command("`hash-tagging diff` process, ids from a file", ["diff", "--json", SHIPPED, SHIPPED, idsFile]),
];
rmSync(scratch, { recursive: true, force: true });

const rate = (seconds: number) => Math.round(IDS / seconds).toLocaleString("en-US");
console.log(`${IDS.toLocaleString("en-US")} ids, the shipped manifest (${source.subject}), Node ${process.version}\n`);
console.log("| path | seconds | ids/s | vs old path |");
console.log("|---|---:|---:|---:|");
for (const row of [...rows, ...commands])
  console.log(`| ${row.name} | ${row.seconds.toFixed(2)} | ${rate(row.seconds)} | ${(rows[0].seconds / row.seconds).toFixed(1)}x |`);
console.log(`\nlanes: ${lanesText(rows[2].lanes)}; ${agreed ? "all three paths agree" : "THE PATHS DISAGREE"}`);
if (!agreed) process.exitCode = 1;
