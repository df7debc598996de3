// npm run bench:webhook: the admission webhook (`npx hash-tagging webhook`, its own process) under bursts
// of 200 concurrent reviews, half refused configs, half good ones, each answer checked for its uid and
// verdict. Once over fresh TLS connections (a cold kube-apiserver) and once over kept-alive ones, as the
// kube-apiserver keeps them; latency percentiles per mode. Bounded: ROUNDS bursts per mode.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { admissionReview, OUR_IMAGE, wasmPlugin } from "../../tests/support/admission-reviews.ts";
import { REFERENCE_CONFIG } from "../../tests/support/configs.ts";
import { freePort, waitFor } from "../istio/processes.ts";
import { post } from "../lib/https-post.ts";
import { REPO_ROOT } from "../lib/paths.ts";
import { localWebhookArgs, makeServingCertificate } from "../lib/serving-certificate.ts";

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REFUSED = { rules: [{ ...REFERENCE_CONFIG.rules[0], policies: [{ range: 120, tagValue: "s2" }] }] };

const dir = mkdtempSync(join(tmpdir(), "bench-webhook-"));
const certificate = makeServingCertificate(dir, ["127.0.0.1"]);
const port = await freePort();
const server = spawn(process.execPath, [join(REPO_ROOT, "scripts/cli/hash-tagging.js"), ...localWebhookArgs(certificate, port)], {
  cwd: REPO_ROOT,
  stdio: ["ignore", "ignore", "inherit"],
});
const url = `https://127.0.0.1:${port}`;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** One burst of CONCURRENCY reviews at once; returns each one's latency in ms and the number of wrong or failed answers. */
async function burst(agent?: https.Agent): Promise<{ latencies: number[]; errors: string[] }> {
  const errors: string[] = [];
  const latencies = await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, i) => {
      const refused = i % 2 === 1;
      const review = admissionReview("CREATE", wasmPlugin(OUR_IMAGE, refused ? REFUSED : REFERENCE_CONFIG, `bench-${i}`));
      const started = performance.now();
      try {
        const reply = await post(`${url}/validate`, JSON.stringify(review), { ca: certificate.ca, agent, timeoutMs: 30_000 });
        const response = JSON.parse(reply.body).response;
        if (reply.status !== 200 || response.uid !== review.request.uid || response.allowed !== !refused)
          errors.push(`review ${i}: HTTP ${reply.status} ${reply.body.slice(0, 200)}`);
      } catch (e) {
        errors.push(`review ${i}: ${(e as Error).message}`);
      }
      return performance.now() - started;
    }),
  );
  return { latencies, errors };
}

try {
  await waitFor(
    "the webhook's /readyz",
    async () => ((await post(`${url}/readyz`, "", { ca: certificate.ca, method: "GET" })).status === 200 ? true : undefined),
    30_000,
  );
  console.log(
    `webhook benchmark: ${ROUNDS} bursts of ${CONCURRENCY} concurrent reviews per mode (half refused), one server process, 2-core machine shared with the client`,
  );
  let totalErrors = 0;
  for (const mode of ["fresh TLS connection per review", "kept-alive connections"] as const) {
    const agent =
      mode === "kept-alive connections" ? new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: certificate.ca }) : undefined;
    if (agent) await burst(agent); // opens the connections, as a running kube-apiserver already has them
    const all: number[] = [];
    const errors: string[] = [];
    const started = performance.now();
    for (let r = 0; r < ROUNDS; r++) {
      const result = await burst(agent);
      all.push(...result.latencies);
      errors.push(...result.errors);
    }
    const seconds = (performance.now() - started) / 1000;
    agent?.destroy();
    all.sort((a, b) => a - b);
    totalErrors += errors.length;
    console.log(
      `${mode}: ${all.length} reviews, ${errors.length} errors, p50 ${percentile(all, 50).toFixed(1)} ms, p99 ${percentile(all, 99).toFixed(1)} ms, max ${all.at(-1)!.toFixed(1)} ms, ${(all.length / seconds).toFixed(0)} reviews/s`,
    );
    for (const e of errors.slice(0, 5)) console.log(`  ${e}`);
  }
  process.exitCode = totalErrors === 0 ? 0 : 1;
} finally {
  server.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
