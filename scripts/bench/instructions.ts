// `npm run bench:instructions`: instructions Envoy executes per request, counted exactly by valgrind's
// callgrind, for the filter and its comparators in one run. Wall-clock figures on a shared VM move by
// microseconds between runs; instruction counts repeat within 0.1%. Each variant runs in its own
// Envoy (one worker) under callgrind with counting off; after a warm-up, counting is switched on for
// REQUESTS keep-alive requests only. Writes scripts/bench/results/instructions.md and instructions.svg.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { referenceTag } from "../../tests/support/fnv1a.ts";
import { type TagRoutesOptions, wasmFilterConfig } from "../lib/envoy/bootstrap.ts";
import { ensureEnvoy } from "../lib/envoy/ensure.ts";
import { pluginConfig } from "../lib/envoy/topology.ts";
import { PLUGIN_WASM, REPO_ROOT } from "../lib/paths.ts";
import { CountedEnvoy, h2load, requireTool } from "./callgrind.ts";
import { absentKeyConfig, buildBenchModule, copiesOfReferenceRule, luaFilter, passThroughConfig } from "./support.ts";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const WARMUP = 300;
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 2);
const USER = "user-4242";
const RESULTS = join(REPO_ROOT, "scripts", "bench", "results");

const LUA_REPLACE_ONLY = `function envoy_on_request(handle)\n  handle:headers():replace("x-asm-prefer-tag", "s1")\nend\n`;
const LUA_NOOP = `function envoy_on_request(handle)\nend\n`;

interface Variant {
  name: string;
  filters: object[];
  /** The tag USER's request must be routed by, or "none": checked before counting. */
  routedAs: string;
  /** The request's headers; `x-user-id: USER` when absent. */
  headers?: Record<string, string>;
  listener?: TagRoutesOptions["trafficDirection"];
  /** Sent once to the INBOUND "prime" listener (running `filters`) before the run, so that a lane is recorded. */
  prime?: { headers: Record<string, string>; filters: object[] };
}

function wasm(name: string, path: string, config: object | string): object {
  return { name, typed_config: wasmFilterConfig(path, config) };
}

function variants(): Variant[] {
  const tag = referenceTag(USER);
  const candidate = process.env.BENCH_CANDIDATE_WASM;
  const floor = buildBenchModule("floor", "stub");
  return [
    { name: "no filter", filters: [], routedAs: "none" },
    { name: "bare no-op Wasm module", filters: [wasm("noop", buildBenchModule("noop", "stub"), {})], routedAs: "none" },
    {
      name: "proxy-runtime no-op filter (SDK exports as published)",
      filters: [wasm("runtime-noop", buildBenchModule("runtime-noop", "incremental"), {})],
      routedAs: "none",
    },
    { name: "floor: minimal same-work module", filters: [wasm("floor", floor, "x-user-id")], routedAs: tag },
    { name: "floor, key header absent", filters: [wasm("floor", floor, "x-absent")], routedAs: "none" },
    { name: "hash-tagging, reference config", filters: [wasm("hash-tagging", PLUGIN_WASM, pluginConfig())], routedAs: tag },
    { name: "hash-tagging, key header absent", filters: [wasm("hash-tagging", PLUGIN_WASM, absentKeyConfig())], routedAs: "none" },
    { name: "hash-tagging, 4 rules", filters: [wasm("hash-tagging", PLUGIN_WASM, copiesOfReferenceRule(4))], routedAs: tag },
    { name: "hash-tagging, 10 rules, one header", filters: [wasm("hash-tagging", PLUGIN_WASM, copiesOfReferenceRule(10))], routedAs: tag },
    ...(candidate
      ? [
          {
            name: process.env.BENCH_CANDIDATE_NAME ?? `candidate (${candidate})`,
            filters: [wasm("hash-tagging", candidate, pluginConfig())],
            routedAs: tag,
          },
        ]
      : []),
    ...passThroughVariants(),
    { name: "Lua no-op", filters: [luaFilter("lua", LUA_NOOP)], routedAs: "none" },
    { name: "Lua replace-only", filters: [luaFilter("lua", LUA_REPLACE_ONLY)], routedAs: "s1" },
    {
      name: "Lua, same decision",
      filters: [luaFilter("lua", readFileSync(join(REPO_ROOT, "scripts", "bench", "lua-tagging.lua"), "utf8"))],
      routedAs: tag,
    },
  ];
}

/**
 * The sidecar pass-through, each hop's cost on its inbound or outbound listener. Direction from the
 * config (two WasmPlugins, SERVER and CLIENT) unless "auto", which reads Envoy's listener direction.
 */
function passThroughVariants(): Variant[] {
  const filter = (config: object) => [wasm("hash-tagging", PLUGIN_WASM, config)];
  const trace = (direction: string, rules = false) =>
    filter({ ...passThroughConfig({ traceHeader: "x-user-id", direction }), ...(rules ? { rules: pluginConfig().rules } : {}) });
  const baggage = (direction: string) => filter(passThroughConfig({ baggage: "lane", direction }));
  const tagged = { "x-user-id": USER, "x-asm-prefer-tag": "s2" };
  const otherBaggage = "k1=v1,k2=v2;p";
  const floorModule = buildBenchModule("floor-sidecar", "stub");
  const floor = (hop: "record" | "restore") => [wasm("floor-sidecar", floorModule, hop)];
  return [
    { name: "floor: pass-through, inbound record", filters: floor("record"), listener: "INBOUND", headers: tagged, routedAs: "s2" },
    {
      name: "floor: pass-through, outbound restore",
      filters: floor("restore"),
      listener: "OUTBOUND",
      prime: { headers: tagged, filters: floor("record") },
      routedAs: "s2",
    },
    { name: "pass-through, inbound record", filters: trace("inbound"), listener: "INBOUND", headers: tagged, routedAs: "s2" },
    {
      name: "pass-through, outbound restore",
      filters: trace("outbound"),
      listener: "OUTBOUND",
      prime: { headers: tagged, filters: trace("inbound") },
      routedAs: "s2",
    },
    {
      name: "pass-through, outbound miss, rules decide",
      filters: trace("outbound", true),
      listener: "OUTBOUND",
      routedAs: referenceTag(USER),
    },
    {
      name: "pass-through, baggage in",
      filters: baggage("inbound"),
      listener: "INBOUND",
      headers: { "x-asm-prefer-tag": "s2", baggage: otherBaggage },
      routedAs: "s2",
    },
    {
      name: "pass-through, baggage out",
      filters: baggage("outbound"),
      listener: "OUTBOUND",
      headers: { baggage: `lane=s2,${otherBaggage}` },
      routedAs: "s2",
    },
    { name: "pass-through, inbound record, direction auto", filters: trace("auto"), listener: "INBOUND", headers: tagged, routedAs: "s2" },
    {
      name: "pass-through, outbound restore, direction auto",
      filters: trace("auto"),
      listener: "OUTBOUND",
      prime: { headers: tagged, filters: trace("auto") },
      routedAs: "s2",
    },
  ];
}

const headersOf = (v: Variant) => v.headers ?? { "x-user-id": USER };
const asLines = (headers: Record<string, string>) => Object.entries(headers).map(([name, value]) => `${name}: ${value}`);

async function routedTag(port: number, headers: Record<string, string>): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { headers });
  return res.text();
}

async function measure(bin: string, v: Variant): Promise<number> {
  const counted = await CountedEnvoy.start(bin, v.filters, { trafficDirection: v.listener, primeFilters: v.prime?.filters });
  try {
    if (v.prime) await routedTag(await counted.envoy.listenerPort("prime"), v.prime.headers);
    const got = await routedTag(counted.port, headersOf(v));
    const headers = asLines(headersOf(v));
    if (got !== v.routedAs) throw new Error(`${v.name}: routed as "${got}", want "${v.routedAs}"`);
    h2load(counted.port, WARMUP, headers);
    return counted.count(() => h2load(counted.port, REQUESTS, headers)) / REQUESTS;
  } finally {
    await counted.stop();
  }
}

/** Runs `jobs` with at most `limit` at a time; callgrind counts are the same whatever else runs. */
async function inParallel<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

function markdownTable(version: string, rows: { name: string; perRequest: number; added: number }[]): string {
  const lines = [
    `Envoy ${version}, one worker, ${REQUESTS} keep-alive requests (\`h2load --h1 -c 1\`, \`x-user-id: ${USER}\`) to direct-response routes`,
    "matching `x-asm-prefer-tag`, counted by callgrind after a warm-up. Instructions per request:",
    "",
    "| variant | per request | added over no filter |",
    "|---|---:|---:|",
    ...rows.map((r) => `| ${r.name} | ${fmt(r.perRequest)} | ${r.added === 0 ? "0" : `+${fmt(r.added)}`} |`),
  ];
  return `${lines.join("\n")}\n`;
}

function svgChart(rows: { name: string; added: number }[]): string {
  const barHeight = 22;
  const labelWidth = 20 + 6.5 * Math.max(...rows.map((r) => r.name.length));
  const chartWidth = 440;
  const max = Math.max(...rows.map((r) => r.added), 1);
  const height = rows.length * (barHeight + 6) + 40;
  const bars = rows.map((r, i) => {
    const y = 30 + i * (barHeight + 6);
    const w = Math.max(1, (Math.max(0, r.added) / max) * chartWidth);
    const fill = r.name.startsWith("hash-tagging")
      ? "#2b7bb9"
      : r.name.startsWith("floor")
        ? "#3a9a4a"
        : r.name.startsWith("Lua")
          ? "#c77c1e"
          : "#888";
    return (
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${r.name}</text>` +
      `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${fill}"/>` +
      `<text x="${labelWidth + w + 6}" y="${y + 15}">+${fmt(r.added)}</text>`
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + chartWidth + 90}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="10" y="18" font-weight="bold">Instructions added per request over Envoy with no filter (callgrind)</text>`,
    ...bars,
    "</svg>",
    "",
  ].join("\n");
}

requireTool("valgrind", "valgrind");
requireTool("callgrind_control", "valgrind");
requireTool("h2load", "nghttp2-client");
const envoy = await ensureEnvoy(PLUGIN_WASM, (line) => console.log(line));
// BENCH_ONLY=regex keeps only matching variants (and always "no filter", the baseline).
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null;
const list = variants().filter((v, i) => i === 0 || !only || only.test(v.name));
console.log(`measuring ${list.length} variants under callgrind, ${PARALLEL} at a time (Envoy takes about 20 s to start under valgrind)`);
const perRequest = await inParallel(
  list.map((v) => async () => {
    const n = await measure(envoy.bin, v);
    console.log(`  ${v.name}: ${fmt(n)} instructions per request`);
    return n;
  }),
  PARALLEL,
);
const rows = list.map((v, i) => ({ name: v.name, perRequest: perRequest[i], added: perRequest[i] - perRequest[0] }));
const table = markdownTable(envoy.version, rows);
console.log(`\n${table}`);
const floor = rows.find((r) => r.name.startsWith("floor"));
const filter = rows.find((r) => r.name === "hash-tagging, reference config");
if (floor && filter)
  console.log(
    `hash-tagging over the floor: ${((filter.added / floor.added - 1) * 100).toFixed(1)}% (${fmt(filter.added - floor.added)} instructions)`,
  );
if (only) {
  console.log("BENCH_ONLY set: scripts/bench/results/ left as it was");
} else {
  writeFileSync(join(RESULTS, "instructions.md"), table);
  writeFileSync(join(RESULTS, "instructions.svg"), svgChart(rows.slice(1)));
  console.log(`wrote scripts/bench/results/instructions.md and instructions.svg`);
}
