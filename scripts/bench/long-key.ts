// `npm run bench:long-key`: what a client can make a gateway pay with a long key. Real Envoy (one
// worker) under callgrind, N rules that all read `x-user-id` (or the cookie `uid`), instructions per
// request with a 59 KiB key and with a small one, counted in the same Envoy. Rules share their reads:
// the key is read, copied and hashed once per request however many rules read it.
import { wasmFilterConfig } from "../lib/envoy/bootstrap.ts";
import { ensureEnvoy } from "../lib/envoy/ensure.ts";
import { pluginConfig } from "../lib/envoy/topology.ts";
import { PLUGIN_WASM } from "../lib/paths.ts";
import { CountedEnvoy, h2load, requireTool } from "./callgrind.ts";
import { buildBenchModule } from "./support.ts";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const WARMUP = 50;
const LONG_KEY_BYTES = 59 * 1024;
const RULE_COUNTS = (process.env.BENCH_RULES ?? "1,10,100,1000").split(",").filter(Boolean).map(Number);
const WASM = process.env.BENCH_WASM ?? PLUGIN_WASM;
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 2);

type KeySource = "header" | "cookie";

/** `count` rules on one key, all writing the one tag header, as copies of one experiment would. */
function rules(count: number, source: KeySource): object {
  const { header: _header, ...rule } = pluginConfig().rules[0];
  const key = source === "header" ? { header: "x-user-id" } : { cookie: "uid" };
  return { rules: Array.from({ length: count }, (_, i) => ({ ...rule, ...key, name: `rule_${i}` })) };
}

const keyHeader = (source: KeySource, key: string) => (source === "header" ? `x-user-id: ${key}` : `cookie: theme=dark; uid=${key}`);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function measure(
  bin: string,
  count: number,
  source: KeySource,
  filters = [{ name: "hash-tagging", typed_config: wasmFilterConfig(WASM, rules(count, source)) }],
  label = String(count),
): Promise<string> {
  const counted = await CountedEnvoy.start(bin, filters);
  try {
    const perRequest = (key: string) => {
      h2load(counted.port, WARMUP, [keyHeader(source, key)]);
      return counted.count(() => h2load(counted.port, REQUESTS, [keyHeader(source, key)])) / REQUESTS;
    };
    const small = perRequest("jack");
    const long = perRequest("k".repeat(LONG_KEY_BYTES));
    const row = `| ${label} | ${source === "header" ? "x-user-id" : "cookie uid"} | ${fmt(long)} | ${fmt(small)} | ${(long / small).toFixed(2)}x |`;
    console.log(row);
    return row;
  } finally {
    await counted.stop();
  }
}

requireTool("valgrind", "valgrind");
requireTool("callgrind_control", "valgrind");
requireTool("h2load", "nghttp2-client");
const envoy = await ensureEnvoy(WASM);
// What any filter pays for the long header: Envoy alone, and the floor module (one read, one hash).
const floor = buildBenchModule("floor", "stub");
const bounds = [
  () => measure(envoy.bin, 0, "header", [], "no filter"),
  () => measure(envoy.bin, 1, "header", [{ name: "floor", typed_config: wasmFilterConfig(floor, "x-user-id") }], "floor (1 read, 1 hash)"),
];
const jobs = [
  ...bounds,
  ...(["header", "cookie"] as KeySource[]).flatMap((source) => RULE_COUNTS.map((count) => () => measure(envoy.bin, count, source))),
];
const rows: string[] = new Array(jobs.length);
let next = 0;
await Promise.all(
  Array.from({ length: PARALLEL }, async () => {
    while (next < jobs.length) {
      const i = next++;
      rows[i] = await jobs[i]();
    }
  }),
);
console.log(
  `\n${WASM}, Envoy ${envoy.version}, one worker, instructions per request under callgrind (${REQUESTS} keep-alive requests each):\n`,
);
console.log("| rules | key | 59 KiB key | small key | ratio |\n|---:|---|---:|---:|---:|");
console.log(rows.join("\n"));
