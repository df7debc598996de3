// One VM, several configurations, in real Envoy. Envoy shares a VM between plugin configs with the
// same vm_id and code (Istio sets no vm_id), one root context each; every request must be served by
// its own listener's config, also while older listeners drain after an LDS update, and a rollback
// to a config Envoy still holds (whose root it reuses without configuring it again) must take effect.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { stringify } from "yaml";
import { tagRoutesBootstrap, wasmFilterConfig } from "../../scripts/lib/envoy/bootstrap.ts";
import { EnvoyProcess } from "../../scripts/lib/envoy/process.ts";
import { pluginConfig } from "../../scripts/lib/envoy/topology.ts";
import { sized } from "../support/tier.ts";
import { envoyForTests, PLUGIN_WASM, until, withEnvoyLog } from "./support.ts";

const LISTENER_TYPE = "type.googleapis.com/envoy.config.listener.v3.Listener";
// jessie's bucket is 16: s2 while the canary range is above 16, s1 below.
const JESSIE = "jessie";
const tagAt = (range: number) => (16 < range ? "s2" : "s1");

/** The tag a fresh connection to `port` gets for jessie (a fresh one, so a new listener answers it). */
function tagOnNewConnection(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/", agent: false, headers: { "x-user-id": JESSIE } }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve(body));
    });
    req.on("error", reject);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** A listener on `port` whose filter config is the reference's at canary range `range`, answering with the tag it routed. */
function rangeListener(name: string, port: number, range: number): object {
  const filter = { name: "hash-tagging", typed_config: wasmFilterConfig(PLUGIN_WASM, pluginConfig(range)) };
  const listener = (tagRoutesBootstrap([filter]) as { static_resources: { listeners: Array<Record<string, unknown>> } }).static_resources
    .listeners[0];
  return { ...listener, name, address: { socket_address: { address: "127.0.0.1", port_value: port } } };
}

const envoys: EnvoyProcess[] = [];
after(async () => {
  for (const envoy of envoys) await envoy.stop();
});

/**
 * An Envoy whose one listener, on a fixed port, comes by file-based LDS: `publish(range)` delivers the
 * listener again with the reference config at that canary range. The caller removes `workDir`.
 */
async function ldsGateway(firstRange: number, options: { args: string[]; logLevel?: string }) {
  const { bin } = await envoyForTests();
  const workDir = mkdtempSync(join(tmpdir(), "hash-tagging-lds-"));
  mkdirSync(join(workDir, "lds"));
  const ldsFile = join(workDir, "lds", "listeners.yaml");
  const port = await freePort();
  let version = 0;
  const publish = (range: number) => {
    const staging = join(workDir, "lds.yaml");
    const listener = { "@type": LISTENER_TYPE, ...rangeListener("gateway", port, range) };
    writeFileSync(staging, stringify({ version_info: String(++version), resources: [listener] }));
    renameSync(staging, ldsFile);
  };
  publish(firstRange);
  const config = {
    node: { id: "hash-tagging", cluster: "hash-tagging" },
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: 0 } } },
    dynamic_resources: {
      lds_config: { path_config_source: { path: ldsFile, watched_directory: { path: join(workDir, "lds") } }, resource_api_version: "V3" },
    },
  };
  const envoy = await EnvoyProcess.start({ bin, config, concurrency: 1, ...options });
  envoys.push(envoy);
  return { envoy, port, publish, workDir };
}

describe("two listeners, one VM (same vm_id and code), configs at range 20 and range 10", () => {
  it("serves each listener its own config, request after request, interleaved", async () => {
    const { bin } = await envoyForTests();
    const [portA, portB] = [await freePort(), await freePort()];
    const config = tagRoutesBootstrap([]) as { static_resources: { listeners: object[] } };
    config.static_resources.listeners = [rangeListener("a", portA, 20), rangeListener("b", portB, 10)];
    const envoy = await EnvoyProcess.start({ bin, config, concurrency: 1 });
    envoys.push(envoy);
    await withEnvoyLog(
      () => envoy,
      async () => {
        // The base VM, the main thread's and the worker's: one set for both configs (distinct vm_ids would make 6).
        assert.equal(await envoy.stat("wasm.envoy.wasm.runtime.v8.active"), 3, "the two configs do not share their VMs");
        const answers: string[] = [];
        for (let i = 0; i < 20; i++) answers.push(`${await tagOnNewConnection(portA)}/${await tagOnNewConnection(portB)}`);
        console.log(`listener A (range 20) / listener B (range 10), 20 times each: ${[...new Set(answers)].join(", ")}`);
        assert.deepEqual([...new Set(answers)], [`${tagAt(20)}/${tagAt(10)}`]);
      },
    )();
  });
});

describe("LDS updates while old listeners drain (--drain-time-s 600)", () => {
  it("serves each step of 20 -> 10 -> 20 -> 50 -> 20 -> 10 its own config, rollbacks included", async () => {
    const { envoy, port, publish, workDir } = await ldsGateway(20, { args: ["--drain-time-s", "600"] });
    try {
      await withEnvoyLog(
        () => envoy,
        async () => {
          const steps = [20, 10, 20, 50, 20, 10];
          const got: string[] = [];
          for (const [i, range] of steps.entries()) {
            if (i > 0) {
              const before = await envoy.stat("listener_manager.lds.update_success");
              publish(range);
              await until(`LDS update ${i}`, async () => (await envoy.stat("listener_manager.lds.update_success")) > before);
            }
            await until(`the listener at range ${range} to answer`, async () => (await tagOnNewConnection(port)) === tagAt(range));
            const tags = new Set<string>();
            for (let n = 0; n < 10; n++) tags.add(await tagOnNewConnection(port));
            got.push([...tags].join("|"));
          }
          // An LDS update of the filter config only replaces the filter chain in place; the old chains drain.
          const draining = await envoy.stat("listener_manager.total_filter_chains_draining");
          console.log(`jessie over ${steps.join(" -> ")}: ${got.join(", ")}; filter chains draining: ${draining}`);
          assert.deepEqual(got, steps.map(tagAt));
          assert.equal(draining, steps.length - 1, "the older filter chains are not all draining: the test would not show a reused root");
        },
      )();
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});

// 10,000 in CI; 1,000 in `npm test`, where most of this suite's time would otherwise go.
const RECONFIGURATIONS = Number(process.env.RECONFIGURATIONS ?? sized(1_000, 10_000));

describe(`${RECONFIGURATIONS.toLocaleString("en-US")} reconfigurations by LDS (no drain: each old root is deleted)`, () => {
  it("leave Envoy's memory flat, every root deleted and its configuration freed", async () => {
    const { envoy, port, publish, workDir } = await ldsGateway(1, {
      logLevel: "warning",
      args: ["--drain-time-s", "0", "--component-log-level", "wasm:debug"],
    });
    const total = RECONFIGURATIONS;
    const warmUp = Math.max(1, Math.floor(total / 10));
    try {
      await withEnvoyLog(
        () => envoy,
        async () => {
          let rssAfterWarmUp = 0;
          for (let i = 1; i <= total; i++) {
            const before = await envoy.stat("listener_manager.lds.update_success");
            publish(1 + (i % 99));
            await until(`LDS update ${i}`, async () => (await envoy.stat("listener_manager.lds.update_success")) > before);
            if (i % warmUp === 0)
              await until(`the listener of update ${i}`, async () => (await tagOnNewConnection(port)) === tagAt(1 + (i % 99)));
            if (i === warmUp) rssAfterWarmUp = envoy.rssMiB();
          }
          const deleted = (envoy.log().match(/root context \d+ deleted: its configuration is freed/g) ?? []).length;
          const rssAtEnd = envoy.rssMiB();
          console.log(
            `${total} LDS reconfigurations: Envoy RSS ${rssAfterWarmUp.toFixed(1)} MiB after ${warmUp}, ${rssAtEnd.toFixed(1)} MiB at the end; ${deleted} roots deleted`,
          );
          assert.ok(deleted >= total, `only ${deleted} old roots were deleted over ${total} reconfigurations (one per VM each)`);
          assert.ok(
            rssAtEnd - rssAfterWarmUp < 16,
            `Envoy's RSS grew by ${(rssAtEnd - rssAfterWarmUp).toFixed(1)} MiB over ${total - warmUp} reconfigurations`,
          );
        },
      )();
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});
