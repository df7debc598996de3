// Configure time at the documented limits, in the Node test host: every Envoy worker configures its
// own VM on every config push, so this must stay well under a second. Prints medians of rounds.
import { performance } from "node:perf_hooks";
import { loadPlugin } from "../src/host/index.ts";
import { LIMIT_CONFIGS } from "../tests/support/limit-configs.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WASM = process.env.BENCH_WASM ?? "build/plugin.wasm";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

console.log(`configure time, Node host, ${WASM}, median of ${ROUNDS} fresh VMs (min..max)`);
console.log("| config | bytes | ms |");
console.log("|---|---|---|");
for (const [name, config] of Object.entries(LIMIT_CONFIGS)) {
  const text = JSON.stringify(config);
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const plugin = await loadPlugin(WASM);
    const start = performance.now();
    const { accepted, logs } = plugin.configure(text);
    times.push(performance.now() - start);
    if (!accepted) throw new Error(`${name}: refused: ${logs.map((l) => l.message).join("; ")}`);
  }
  const bytes = Buffer.byteLength(text).toLocaleString("en-US");
  console.log(`| ${name} | ${bytes} | ${median(times).toFixed(0)} (${Math.min(...times).toFixed(0)}..${Math.max(...times).toFixed(0)}) |`);
}
