// Live config reload the way Istio delivers WasmPlugin config: ECDS, here from a file Envoy watches.
// A bad update must be NACKed with the previous config still serving; a good one (the 20 -> 50 ramp)
// must take effect without failing a request in flight, and may only move users into the canary.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { stringify } from "yaml";
import { ecdsResponse, FILTER_NAME } from "../../scripts/lib/envoy/bootstrap.ts";
import { startTestbed, type Testbed } from "../../scripts/lib/envoy/testbed.ts";
import { pluginConfig } from "../../scripts/lib/envoy/topology.ts";
import {
  chainFor,
  closeClients,
  envoyForTests,
  expectedTag,
  get,
  mapConcurrent,
  PLUGIN_WASM,
  syntheticUsers,
  tagOf,
  until,
  withEnvoyLog,
} from "./support.ts";

const ECDS_STATS = `extension_config_discovery.http_filter.${FILTER_NAME}`;
const SAMPLE = syntheticUsers(2_000, "ramp-");

let bed: Testbed | undefined;
let workDir = "";
let ecdsFile = "";
let version = 0;
const e2e = (body: () => Promise<void>) => withEnvoyLog(() => bed?.envoy, body);

/** Writes next to the watched dir, then renames in: Envoy never reads a half-written file. */
function publish(config: string | object): string {
  const v = String(++version);
  const staging = join(workDir, `ecds-${v}.yaml`);
  writeFileSync(staging, stringify(ecdsResponse(PLUGIN_WASM, config, v)));
  renameSync(staging, ecdsFile);
  return v;
}

async function sampleTags(): Promise<(string | undefined)[]> {
  return mapConcurrent(SAMPLE, 32, (u) => tagOf(bed!.ingressUrl, u));
}

function assertTagsMatch(tags: (string | undefined)[], range: number, when: string): void {
  const wrong = SAMPLE.filter((u, i) => tags[i] !== expectedTag(u, range));
  assert.equal(
    wrong.length,
    0,
    `${when}: ${wrong.length} of ${SAMPLE.length} ids not tagged as range ${range} says, e.g. ` +
      wrong
        .slice(0, 3)
        .map((u) => `${u}: got ${tags[SAMPLE.indexOf(u)]}, want ${expectedTag(u, range)}`)
        .join("; "),
  );
}

const stat = (name: string) => bed!.envoy.stat(`${ECDS_STATS}.${name}`);

before(async () => {
  const envoy = await envoyForTests();
  workDir = mkdtempSync(join(tmpdir(), "hash-tagging-ecds-"));
  mkdirSync(join(workDir, "ecds"));
  ecdsFile = join(workDir, "ecds", `${FILTER_NAME}.yaml`);
  publish(pluginConfig(20));
  bed = await startTestbed({ envoyBin: envoy.bin, wasmPath: PLUGIN_WASM, tagEcho: true, plugin: { ecdsFile }, workDir });
});

after(async () => {
  await bed?.stop();
  closeClients();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test(
  "the filter config arrives by ECDS and tags as range 20 says",
  e2e(async () => {
    assert.equal(await stat("update_success"), 1, "got no accepted ECDS update, want 1");
    assertTagsMatch(await sampleTags(), 20, "initial config");
  }),
);

test(
  "a bad update is NACKed: the filter's errors are logged and the previous config keeps serving",
  e2e(async () => {
    const rejectedBefore = await stat("update_rejected");
    publish({
      rules: [
        {
          header: "x-user-id",
          modulo: 100,
          tagHeader: "x-asm-prefer-tag",
          policies: [
            { range: 50, tagValue: "s2" },
            { range: 40, tagValue: "s1" },
          ],
        },
      ],
    });
    await until("Envoy to reject the update", async () => (await stat("update_rejected")) > rejectedBefore);
    const log = bed!.envoy.log();
    assert.match(
      log,
      /\[error\]\[wasm\].*rules\[0\]\.policies\[1\]\.range: /,
      "got no error line naming rules[0].policies[1].range in Envoy's log",
    );
    assert.match(log, /Filesystem config update rejected/, "got no NACK line in Envoy's log");
    assertTagsMatch(await sampleTags(), 20, "after the rejected update");
    const r = await get(`${bed!.ingressUrl}/`, { "x-user-id": "jack" });
    assert.equal(r.body.trimEnd(), chainFor("v2"), `jack after the rejected update: got ${r.body.trimEnd()}, want ${chainFor("v2")}`);
  }),
);

test(
  "ramping 20 -> 50 live: no request fails during the swap, users only move into the canary",
  e2e(async () => {
    const before20 = await sampleTags();
    assertTagsMatch(before20, 20, "before the ramp");
    const successBefore = await stat("update_success");

    // Traffic through the whole chain for the duration of the swap.
    const failures: string[] = [];
    let served = 0;
    let loading = true;
    const users = syntheticUsers(200, "load-");
    const load = mapConcurrent(
      Array.from({ length: 8 }, (_, w) => w),
      8,
      async (w) => {
        for (let i = w; loading; i += 8) {
          const user = users[i % users.length];
          try {
            const r = await get(`${bed!.ingressUrl}/`, { "x-user-id": user });
            if (r.status !== 200) failures.push(`${user}: HTTP ${r.status} ${r.body.trim()}`);
            served++;
          } catch (e) {
            failures.push(`${user}: ${(e as Error).message}`);
          }
        }
      },
    );

    await new Promise((r) => setTimeout(r, 200));
    publish(pluginConfig(50));
    await until("Envoy to accept the ramp", async () => (await stat("update_success")) > successBefore);
    // Worker threads pick the new config up a moment after the main thread accepts it.
    const mover = SAMPLE.find((u) => expectedTag(u, 20) === "s1" && expectedTag(u, 50) === "s2")!;
    await until(`${mover} to move to s2`, async () => (await tagOf(bed!.ingressUrl, mover)) === "s2");
    await new Promise((r) => setTimeout(r, 200));
    loading = false;
    await load;
    assert.equal(
      failures.length,
      0,
      `got ${failures.length} failed requests of ${served} during the swap, want 0: ${failures.slice(0, 3).join("; ")}`,
    );
    assert.ok(served > 50, `got ${served} requests served during the swap, want a steady stream (> 50)`);

    const after50 = await sampleTags();
    assertTagsMatch(after50, 50, "after the ramp");
    const movedOut = SAMPLE.filter((_, i) => before20[i] === "s2" && after50[i] !== "s2");
    assert.equal(movedOut.length, 0, `got ${movedOut.length} users moved out of the canary, want 0: ${movedOut.slice(0, 5).join(", ")}`);
    const movedIn = SAMPLE.filter((_, i) => before20[i] === "s1" && after50[i] === "s2").length;
    const wantIn = SAMPLE.filter((u) => {
      const b = expectedTag(u, 20);
      return b === "s1" && expectedTag(u, 50) === "s2";
    }).length;
    assert.equal(movedIn, wantIn, `got ${movedIn} users moved into the canary, want ${wantIn}`);
  }),
);
