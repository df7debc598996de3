// Configure time at the documented limits: every Envoy worker configures its own VM on every config
// push, so this must stay well under a second. First in the Node test host, then in real Envoy (one
// worker), where the filter's debug line "configuring: N bytes" and its "configuration accepted" line
// are timestamped by Envoy's log (millisecond resolution). Prints medians of rounds.
import { performance } from "node:perf_hooks";
import { LIMIT_CONFIGS } from "../../tests/support/limit-configs.ts";
import { tagRoutesBootstrap, wasmFilterConfig } from "../lib/envoy/bootstrap.ts";
import { ensureEnvoy } from "../lib/envoy/ensure.ts";
import { EnvoyProcess } from "../lib/envoy/process.ts";
import { loadPlugin } from "../lib/host/index.ts";
import { PLUGIN_WASM } from "../lib/paths.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ENVOY_ROUNDS = Number(process.env.BENCH_ENVOY_ROUNDS ?? 3);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const figure = (values: number[]) => `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}..${Math.max(...values).toFixed(0)})`;

function nodeHostTimes(text: string, name: string): Promise<number[]> {
  return (async () => {
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const plugin = await loadPlugin(PLUGIN_WASM);
      const start = performance.now();
      const { accepted, logs } = plugin.configure(text);
      times.push(performance.now() - start);
      if (!accepted) throw new Error(`${name}: refused: ${logs.map((l) => l.message).join("; ")}`);
    }
    return times;
  })();
}

const LOG_TIME = /^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\]/;

/** Milliseconds between each "configuring" line and the "configuration accepted" line after it, in Envoy's log. */
function configureSpans(log: string): number[] {
  const spans: number[] = [];
  let started: number | undefined;
  for (const line of log.split("\n")) {
    const at = LOG_TIME.exec(line);
    if (!at) continue;
    const time = Date.parse(at[1].replace(" ", "T"));
    if (line.includes("wasm log") && line.includes("configuring: ")) started = time;
    else if (line.includes("wasm log") && line.includes("configuration accepted") && started !== undefined) {
      spans.push(time - started);
      started = undefined;
    }
  }
  return spans;
}

async function envoyTimes(envoyBin: string, config: object, name: string): Promise<number[]> {
  const times: number[] = [];
  for (let round = 0; round < ENVOY_ROUNDS; round++) {
    const bootstrap = tagRoutesBootstrap([{ name: "hash-tagging", typed_config: wasmFilterConfig(PLUGIN_WASM, config) }]);
    const envoy = await EnvoyProcess.start({
      bin: envoyBin,
      config: bootstrap,
      concurrency: 1,
      logLevel: "debug",
      readyTimeoutMs: 120_000,
    });
    try {
      const spans = configureSpans(envoy.log());
      if (spans.length === 0) throw new Error(`${name}: no configure lines in Envoy's log (${envoy.logPath})`);
      times.push(...spans);
    } finally {
      await envoy.stop();
    }
  }
  return times;
}

const configs = Object.entries(LIMIT_CONFIGS).map(([name, config]) => ({ name, config, text: JSON.stringify(config) }));

console.log(
  `configure time at the limits, ms: Node host median of ${ROUNDS} fresh VMs; Envoy (V8, one worker) median of every VM's configure over ${ENVOY_ROUNDS} starts (min..max)`,
);
const envoy = await ensureEnvoy(PLUGIN_WASM);
console.log("| config | bytes | Node host | Envoy |");
console.log("|---|---:|---:|---:|");
for (const { name, config, text } of configs) {
  const host = await nodeHostTimes(text, name);
  const real = await envoyTimes(envoy.bin, config, name);
  console.log(`| ${name} | ${Buffer.byteLength(text).toLocaleString("en-US")} | ${figure(host)} | ${figure(real)} |`);
}
