// Benchmark through real Envoy: the same routes (direct responses chosen by x-asm-prefer-tag) with no
// tagging filter, with the Wasm filter, and with a Lua filter doing the same hashing (route cache
// cleared, Lua's default, and not cleared). Envoy runs one worker pinned to CPU 0 and wrk runs on CPU 1;
// variants are interleaved round by round and reported as medians. Figures are printed, never asserted.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { referenceTag } from "../../tests/support/fnv1a.ts";
import { tagRoutesBootstrap, wasmFilterConfig } from "../lib/envoy/bootstrap.ts";
import { ensureEnvoy } from "../lib/envoy/ensure.ts";
import { EnvoyProcess } from "../lib/envoy/process.ts";
import { pluginConfig } from "../lib/envoy/topology.ts";
import { get } from "../lib/http.ts";
import { PLUGIN_WASM } from "../lib/paths.ts";
import { absentKeyConfig, buildBenchModule, luaFilter } from "./support.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const FIXED_RPS = Number(process.env.BENCH_FIXED_RPS ?? 5000);
const NOOP_WASM = buildBenchModule("noop", "stub");
const LUA_CODE = readFileSync(new URL("./lua-tagging.lua", import.meta.url), "utf8");

interface Variant {
  name: string;
  filters: object[];
  /** Whether the route sees the tag: without a route cache clear it was picked before the write. */
  routesByTag: boolean;
}

const variants: Variant[] = [
  { name: "no tagging filter (baseline)", filters: [], routesByTag: false },
  {
    name: "hash-tagging Wasm filter",
    filters: [{ name: "hash-tagging", typed_config: wasmFilterConfig(PLUGIN_WASM, pluginConfig()) }],
    routesByTag: true,
  },
  {
    name: "no-op Wasm module (Envoy's floor)",
    filters: [{ name: "noop", typed_config: wasmFilterConfig(NOOP_WASM, "{}") }],
    routesByTag: false,
  },
  // The Wasm filter's fixed cost: a rule whose key header never comes, so no hash and no header write.
  {
    name: "hash-tagging Wasm, key header absent",
    filters: [{ name: "hash-tagging", typed_config: wasmFilterConfig(PLUGIN_WASM, absentKeyConfig()) }],
    routesByTag: false,
  },
  // Another build of the filter (BENCH_CANDIDATE_WASM=path), measured side by side with this one.
  ...(process.env.BENCH_CANDIDATE_WASM
    ? [
        {
          name: "candidate Wasm build",
          filters: [{ name: "hash-tagging", typed_config: wasmFilterConfig(process.env.BENCH_CANDIDATE_WASM, pluginConfig()) }],
          routesByTag: true,
        },
      ]
    : []),
  { name: "Lua filter, clear_route_cache true", filters: [luaFilter("lua", LUA_CODE)], routesByTag: true },
  // Cheaper, but useless for lane routing: the route was chosen before the tag existed.
  { name: "Lua filter, clear_route_cache false", filters: [luaFilter("lua", LUA_CODE, false)], routesByTag: false },
];

async function tagOf(port: number, user: string): Promise<string> {
  return (await get(`http://127.0.0.1:${port}/`, { headers: { "x-user-id": user } })).body;
}

/** Envoy's CPU time so far (user + system), in seconds, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));
}

interface Sample {
  rps: number;
  cpuMicrosPerRequest: number;
  p99Millis: number;
}

interface LoadResult {
  requests: number;
  rps: number;
  p99Millis: number;
}

const MILLIS_PER_UNIT: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };

/** Saturation: as many requests as wrk can get through, each with the next of 10,000 user ids. */
function saturate(port: number): LoadResult {
  const out = execFileSync(
    "taskset",
    [
      "-c",
      "1",
      "wrk",
      "-t1",
      `-c${CONNECTIONS}`,
      `-d${SECONDS}s`,
      "--latency",
      "-s",
      "scripts/bench/users.lua",
      `http://127.0.0.1:${port}/`,
    ],
    { encoding: "utf8" },
  );
  if (/Non-2xx|Socket errors/.test(out)) throw new Error(`wrk saw errors:\n${out}`);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
  if (!requests || !rps || !p99) throw new Error(`cannot read wrk's output:\n${out}`);
  return { requests, rps, p99Millis: Number(p99[1]) * MILLIS_PER_UNIT[p99[2]] };
}

/** A fixed rate, the same for every variant, so CPU per request compares like with like. */
function fixedRate(port: number): LoadResult {
  const clients = 10;
  const out = execFileSync(
    "taskset",
    [
      "-c",
      "1",
      "h2load",
      "--h1",
      `-c${clients}`,
      `--rps=${FIXED_RPS / clients}`,
      `-D${SECONDS}`,
      "-H",
      "x-user-id: user-4242",
      `http://127.0.0.1:${port}/`,
    ],
    { encoding: "utf8" },
  );
  const done = /requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed/.exec(out);
  if (!done || Number(done[3]) > 0) throw new Error(`h2load failed requests or cannot be read:\n${out}`);
  const requests = Number(done[2]);
  // h2load reports min, max and mean, no percentiles: the mean stands in the latency column.
  const mean = /time for request:\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)/.exec(out);
  return { requests, rps: requests / SECONDS, p99Millis: mean ? Number(mean[1]) * MILLIS_PER_UNIT[mean[2]] : NaN };
}

function requireTool(tool: string, versionFlag: string, debianPackage: string): void {
  try {
    execFileSync(tool, [versionFlag], { stdio: "ignore" });
  } catch (e) {
    // Some tools exit non-zero after printing their version; only a missing binary is a problem.
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      console.error(`scripts/bench/envoy.ts needs ${tool}: apt-get install ${debianPackage}`);
      process.exit(1);
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

requireTool("wrk", "--version", "wrk");
requireTool("h2load", "--version", "nghttp2-client");
const envoyBinary = await ensureEnvoy(PLUGIN_WASM, (line) => console.log(line));
const envoys: EnvoyProcess[] = [];
try {
  for (const v of variants)
    envoys.push(
      await EnvoyProcess.start({ bin: envoyBinary.bin, config: tagRoutesBootstrap(v.filters), concurrency: 1, logLevel: "warn" }),
    );
  const ports = await Promise.all(envoys.map((e) => e.listenerPort("bench")));
  for (const e of envoys) execFileSync("taskset", ["-a", "-p", "-c", "0", String(e.pid)], { stdio: "ignore" });

  // Each variant must route as the filter decides before its figures mean anything.
  for (const [i, v] of variants.entries()) {
    for (const user of ["jack", "bob", "jessie", "vance"]) {
      const got = await tagOf(ports[i], user);
      const want = v.routesByTag ? referenceTag(user) : "none";
      if (got !== want) throw new Error(`${v.name}: user ${user} routed to ${got}, want ${want}`);
    }
  }

  const loads: Array<[string, (port: number) => LoadResult, string]> = [
    [`saturation: wrk -t1 -c${CONNECTIONS}, 10,000 user ids`, saturate, "p99 ms"],
    [`fixed rate: h2load --h1, ${FIXED_RPS} requests/s`, fixedRate, "mean ms"],
  ];
  const samples: Sample[][][] = loads.map(() => variants.map(() => []));
  const rssBefore = envoys.map((e) => e.rssMiB());
  for (let round = 0; round < ROUNDS; round++) {
    for (const [l, [, load]] of loads.entries()) {
      for (const [i, envoy] of envoys.entries()) {
        const cpuBefore = cpuSeconds(envoy.pid);
        const run = load(ports[i]);
        const cpu = cpuSeconds(envoy.pid) - cpuBefore;
        samples[l][i].push({ rps: run.rps, cpuMicrosPerRequest: (cpu * 1e6) / run.requests, p99Millis: run.p99Millis });
      }
    }
  }

  console.log(
    `Envoy ${envoyBinary.version}, 1 worker pinned to CPU 0, load generator on CPU 1; ${ROUNDS} interleaved rounds of ${SECONDS}s; medians (min..max)`,
  );
  for (const [l, [title, , latencyLabel]] of loads.entries()) {
    const base = samples[l][0];
    const baseCpu = median(base.map((s) => s.cpuMicrosPerRequest));
    const baseRps = median(base.map((s) => s.rps));
    console.log(`\n${title}`);
    console.log(
      `${"variant".padEnd(38)} ${"requests/s".padStart(22)} ${"x base".padStart(7)} ${"Envoy CPU us/req".padStart(22)} ${"added".padStart(8)} ${latencyLabel.padStart(8)}`,
    );
    for (const [i, v] of variants.entries()) {
      const rps = samples[l][i].map((s) => s.rps);
      const cpu = samples[l][i].map((s) => s.cpuMicrosPerRequest);
      const rpsText = `${median(rps).toFixed(0)} (${Math.min(...rps).toFixed(0)}..${Math.max(...rps).toFixed(0)})`;
      const cpuText = `${median(cpu).toFixed(2)} (${Math.min(...cpu).toFixed(2)}..${Math.max(...cpu).toFixed(2)})`;
      console.log(
        `${v.name.padEnd(38)} ${rpsText.padStart(22)} ${(median(rps) / baseRps).toFixed(3).padStart(7)} ${cpuText.padStart(22)} ${(median(cpu) - baseCpu).toFixed(2).padStart(8)} ${median(
          samples[l][i].map((s) => s.p99Millis),
        )
          .toFixed(2)
          .padStart(8)}`,
      );
    }
  }
  console.log("\nEnvoy resident memory (MiB) after the routing check, then after every round");
  for (const [i, v] of variants.entries()) {
    console.log(`${v.name.padEnd(38)} ${rssBefore[i].toFixed(1).padStart(7)} -> ${envoys[i].rssMiB().toFixed(1).padStart(7)}`);
  }
} finally {
  await Promise.all(envoys.map((e) => e.stop()));
  rmSync(dirname(NOOP_WASM), { recursive: true, force: true });
}
