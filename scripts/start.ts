// npm start — the local testbed: builds the plugin if needed, starts the Envoys (gateway, sidecars) and the sample app,
// prints the reference walk-through, then serves on 127.0.0.1:10000 until Ctrl-C.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ensureEnvoy } from "./lib/envoy/ensure.ts";
import { assertPortFree, startTestbed, type Testbed } from "./lib/envoy/testbed.ts";
import { type PassThroughMode, SIDECAR_MODES, USER_HEADER, WALKTHROUGH_USERS } from "./lib/envoy/topology.ts";
import { PLUGIN_WASM, REPO_ROOT } from "./lib/paths.ts";

const DEFAULT_PORT = 10000;

function pluginIsStale(): boolean {
  if (!existsSync(PLUGIN_WASM)) return true;
  const built = statSync(PLUGIN_WASM).mtimeMs;
  const sources = join(REPO_ROOT, "assembly");
  return readdirSync(sources, { recursive: true }).some((f) => statSync(join(sources, String(f))).mtimeMs > built);
}

function ingressPort(): number {
  const raw = process.env.INGRESS_PORT ?? String(DEFAULT_PORT);
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`INGRESS_PORT=${raw}: expected a port number 0..65535`);
  return port;
}

/** PASS_THROUGH: the sidecars' mode, as in docker compose (trace-id when unset). */
function passThroughMode(): PassThroughMode {
  const raw = process.env.PASS_THROUGH || "trace-id";
  if (!(raw in SIDECAR_MODES)) throw new Error(`PASS_THROUGH=${raw}: expected ${Object.keys(SIDECAR_MODES).join(" or ")}`);
  return raw as PassThroughMode;
}

let running: Testbed | undefined;
let stopping = false;

/** Ctrl-C at any point: stop what has started; process.exit also kills an Envoy still starting. */
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (running) {
    await running.stop();
    console.log("stopped Envoy and the sample app");
  }
  process.exit(code);
}

async function main(): Promise<void> {
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  const port = ingressPort();
  const mode = passThroughMode();
  await assertPortFree(port, "Envoy ingress; set INGRESS_PORT to use another");
  if (pluginIsStale()) {
    console.log("building the plugin (npm run asbuild:release)");
    execFileSync("npm", ["run", "--silent", "asbuild:release"], { cwd: REPO_ROOT, stdio: "inherit" });
  }
  const envoy = await ensureEnvoy(PLUGIN_WASM, (line) => console.log(line));
  const bed = await startTestbed({ envoyBin: envoy.bin, wasmPath: PLUGIN_WASM, ingressPort: port, mode });
  running = bed;
  void bed.envoy.exited.then((exit) => {
    if (stopping) return;
    console.error(`envoy exited unexpectedly (code ${exit.code}, signal ${exit.signal})\n${bed.envoy.logTail()}`);
    void stop(1);
  });

  console.log(`envoy ${envoy.version} (pid ${bed.envoy.pid}), admin ${bed.envoy.adminUrl}, log ${bed.envoy.logPath}`);
  for (const s of bed.sidecars)
    console.log(`${s.instance}'s sidecar (pid ${s.envoy.pid}), ${mode} pass-through, admin ${s.envoy.adminUrl}`);
  console.log(`the ${bed.app.name} app forwards ${bed.app.forwardHeaders.join(" and ")}`);
  console.log(`walk-through via ${bed.ingressUrl}/`);
  for (const user of WALKTHROUGH_USERS) {
    const res = await fetch(`${bed.ingressUrl}/`, { headers: { [USER_HEADER]: user } });
    const chain = (await res.text()).trimEnd();
    console.log(`${chain}   user ${user} requested${res.status === 200 ? "" : ` (HTTP ${res.status})`}`);
  }
  console.log(`serving on ${bed.ingressUrl}; try: curl -H '${USER_HEADER}: jack' ${bed.ingressUrl}/   (Ctrl-C to stop)`);
}

main().catch((e: Error) => {
  console.error(`start: ${e.message}`);
  process.exit(1);
});
