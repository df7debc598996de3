// `npm run soak -- --minutes N` (default: 200,000 requests): real Envoy with 2 workers and the filter,
// random user ids over keep-alive connections. It reports non-2xx answers, Wasm VMs created or failed
// after warm-up, each tag's share against the config's, and Envoy's resident memory after warm-up
// and at the end. The e2e suite runs it at CI size and asserts the figures.

import http from "node:http";
import { parseArgs } from "node:util";
import { tagRoutesBootstrap, wasmFilterConfig } from "./lib/envoy/bootstrap.ts";
import { ensureEnvoy } from "./lib/envoy/ensure.ts";
import { EnvoyProcess } from "./lib/envoy/process.ts";
import { pluginConfig } from "./lib/envoy/topology.ts";
import { get } from "./lib/http.ts";
import { PLUGIN_WASM } from "./lib/paths.ts";

export interface SoakOptions {
  /** Stop after this many requests, or after `minutes`. */
  requests?: number;
  minutes?: number;
  warmUpRequests?: number;
  connections?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  requests: number;
  non2xx: number;
  /** Share of requests per routed tag ("none": untagged), in percent. */
  sharePercent: Record<string, number>;
  /** Share the config intends per tag, in percent. */
  intendedPercent: Record<string, number>;
  vmsCreatedAfterWarmUp: number;
  failedStreams: number;
  /** Envoy's wasm stats at the end (VMs created and active, and any failure counters). */
  wasmStats: Record<string, number>;
  rssMiBAfterWarmUp: number;
  rssMiBAtEnd: number;
  seconds: number;
}

const CANARY_RANGE = 20;

/** A seeded xorshift id generator: random users, the same ones on every run. */
function userIds(seed = 0x9e3779b9): () => string {
  let state = seed >>> 0;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return `user-${state.toString(36)}`;
  };
}

export async function soak(o: SoakOptions = {}): Promise<SoakReport> {
  const log = o.log ?? (() => {});
  const envoyBinary = await ensureEnvoy(PLUGIN_WASM);
  const filter = { name: "hash-tagging", typed_config: wasmFilterConfig(PLUGIN_WASM, pluginConfig(CANARY_RANGE)) };
  const envoy = await EnvoyProcess.start({ bin: envoyBinary.bin, config: tagRoutesBootstrap([filter]), concurrency: 2, logLevel: "warn" });
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections ?? 16 });
  try {
    const port = await envoy.listenerPort("bench");
    const nextId = userIds();
    const counts: Record<string, number> = {};
    let non2xx = 0;
    const ask = async (user: string) => {
      const { status, body } = await get(`http://127.0.0.1:${port}/`, { headers: { "x-user-id": user }, agent });
      if (status < 200 || status >= 300) non2xx++;
      else counts[body] = (counts[body] ?? 0) + 1;
    };
    const run = async (keepGoing: (sent: number) => boolean) => {
      let sent = 0;
      const worker = async () => {
        while (keepGoing(sent)) {
          sent++;
          await ask(nextId());
        }
      };
      await Promise.all(Array.from({ length: o.connections ?? 16 }, worker));
      return sent;
    };

    await run((sent) => sent < (o.warmUpRequests ?? 20_000));
    for (const key of Object.keys(counts)) delete counts[key];
    non2xx = 0;
    const vmsAfterWarmUp = await envoy.stat("wasm.envoy.wasm.runtime.v8.created");
    const rssMiBAfterWarmUp = envoy.rssMiB();
    const started = Date.now();
    const deadline = o.minutes ? started + o.minutes * 60_000 : Infinity;
    const limit = o.minutes ? Infinity : (o.requests ?? 200_000);
    let lastReport = started;
    const requests = await run((sent) => {
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        log(`  ${sent} requests, Envoy RSS ${envoy.rssMiB().toFixed(1)} MiB`);
      }
      return sent < limit && Date.now() < deadline;
    });
    const seconds = (Date.now() - started) / 1000;
    const sharePercent = Object.fromEntries(Object.entries(counts).map(([tag, n]) => [tag, (100 * n) / requests]));
    return {
      requests,
      non2xx,
      sharePercent,
      intendedPercent: { s2: CANARY_RANGE, s1: 100 - CANARY_RANGE },
      vmsCreatedAfterWarmUp: (await envoy.stat("wasm.envoy.wasm.runtime.v8.created")) - vmsAfterWarmUp,
      failedStreams: await envoy.stat("http.bench.downstream_rq_5xx"),
      wasmStats: Object.fromEntries(
        (await envoy.admin("/stats?filter=wasm"))
          .trim()
          .split("\n")
          .map((line) => {
            const [name, value] = line.split(": ");
            return [name, Number(value)];
          }),
      ),
      rssMiBAfterWarmUp,
      rssMiBAtEnd: envoy.rssMiB(),
      seconds,
    };
  } finally {
    agent.destroy();
    await envoy.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { minutes: { type: "string" }, requests: { type: "string" } } });
  const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
  const requests = values.requests === undefined ? undefined : Number(values.requests);
  for (const [name, value] of [
    ["--minutes", minutes],
    ["--requests", requests],
  ] as const) {
    if (value !== undefined && !(value > 0)) {
      console.error(
        `soak: ${name} expects a positive number, got ${JSON.stringify(name === "--minutes" ? values.minutes : values.requests)}`,
      );
      process.exit(2);
    }
  }
  console.log(
    minutes ? `soak: ${minutes} minute(s) through Envoy (2 workers)` : `soak: ${requests ?? 200_000} requests through Envoy (2 workers)`,
  );
  const report = await soak({ minutes, requests, log: console.log });
  console.log(JSON.stringify(report, null, 2));
}
