// A CI-sized soak through real Envoy with 2 workers (`npm run soak -- --minutes N` runs it longer):
// guards what a new allocator or runtime could break only under sustained traffic.
import assert from "node:assert/strict";
import { it } from "node:test";
import { soak } from "../../scripts/soak.ts";

const REQUESTS = 200_000;
const MAX_SHARE_ERROR_POINTS = 0.5;
// Resident memory after warm-up may move by allocator noise, never by a leak's steady growth.
const MAX_RSS_GROWTH_MIB = 4;

it(`serves ${REQUESTS.toLocaleString("en-US")} random users: all 2xx, no VM failure, shares as configured, memory flat`, async () => {
  const report = await soak({ requests: REQUESTS });
  console.log(`soak: ${JSON.stringify({ ...report, wasmStats: undefined })}`);
  assert.equal(report.requests, REQUESTS);
  assert.equal(report.non2xx, 0, "non-2xx answers");
  assert.equal(report.failedStreams, 0, "5xx answers (wasm_fail_stream when a VM fails)");
  assert.equal(report.vmsCreatedAfterWarmUp, 0, "a VM was created after warm-up: one failed and was reloaded");
  assert.equal(report.wasmStats["wasm.hash-tagging.vm_reload_failure"] ?? 0, 0);
  assert.equal(report.sharePercent.none, undefined, "some requests were not tagged");
  for (const [tag, intended] of Object.entries(report.intendedPercent)) {
    const got = report.sharePercent[tag] ?? 0;
    assert.ok(Math.abs(got - intended) <= MAX_SHARE_ERROR_POINTS, `${tag}: ${got.toFixed(2)}% of requests, config says ${intended}%`);
  }
  const growth = report.rssMiBAtEnd - report.rssMiBAfterWarmUp;
  assert.ok(
    growth <= MAX_RSS_GROWTH_MIB,
    `Envoy RSS grew ${growth.toFixed(1)} MiB after warm-up (${report.rssMiBAfterWarmUp.toFixed(1)} -> ${report.rssMiBAtEnd.toFixed(1)})`,
  );
});
