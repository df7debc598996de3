// Micro-benchmark of the compiled filter in the Node test host: per-request cost of the filter's
// hooks (context create, request headers, delete), side by side, reported as medians of rounds.
// The host's own JS work is included in every variant, so compare ratios, not absolute numbers.
import { performance } from "node:perf_hooks";
import { REFERENCE_CONFIG } from "../../tests/support/configs.ts";
import { HeaderMap, loadPlugin } from "../lib/host/index.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);

interface Variant {
  name: string;
  config: object;
  headers: Array<[string, string]>;
}

const rule = REFERENCE_CONFIG.rules[0];
const fourRules = { rules: [0, 1, 2, 3].map((i) => ({ ...rule, tagHeader: `x-tag-${i}` })) };
const variants: Variant[] = [
  { name: "key header absent (no hash, no write)", config: REFERENCE_CONFIG, headers: [["x-other", "1"]] },
  { name: "1 rule, 8-byte key", config: REFERENCE_CONFIG, headers: [["x-user-id", "user-123"]] },
  { name: "1 rule, 4 KiB key", config: REFERENCE_CONFIG, headers: [["x-user-id", "u".repeat(4096)]] },
  { name: "4 rules, 8-byte key", config: fourRules, headers: [["x-user-id", "user-123"]] },
];

const plugins = await Promise.all(
  variants.map(async (v) => {
    const plugin = await loadPlugin();
    if (!plugin.configure(JSON.stringify(v.config)).accepted) throw new Error(`bench config refused: ${v.name}`);
    return plugin;
  }),
);

const samples: number[][] = variants.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  // Interleave the variants in every round so drift affects them all alike.
  variants.forEach((variant, i) => {
    const start = performance.now();
    for (let n = 0; n < REQUESTS; n++) plugins[i].request(new HeaderMap(variant.headers));
    samples[i].push(((performance.now() - start) * 1e6) / REQUESTS);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const baseline = median(samples[0]);
console.log(`Node test host, ${ROUNDS} rounds x ${REQUESTS} requests per variant (median ns/request, min..max, ratio to the first row)`);
variants.forEach((v, i) => {
  const m = median(samples[i]);
  console.log(
    `  ${v.name.padEnd(40)} ${m.toFixed(0).padStart(7)} ns  (${Math.min(...samples[i]).toFixed(0)}..${Math.max(...samples[i]).toFixed(0)})  x${(m / baseline).toFixed(2)}`,
  );
});
plugins.forEach((p, i) => console.log(`  memory after ${variants[i].name}: ${p.memoryBytes} bytes`));
