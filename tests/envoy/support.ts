// Helpers shared by the real-Envoy suites. Expected lanes come from tests/support/fnv1a.ts, independent of the
// filter: FNV-1a 32-bit over the UTF-8 bytes, bucket = hash % 100, bucket < canary range -> s2.
import http from "node:http";
import { after, before } from "node:test";
import { type EnvoyBinary, ensureEnvoy } from "../../scripts/lib/envoy/ensure.ts";
import type { EnvoyProcess } from "../../scripts/lib/envoy/process.ts";
import { startTestbed, type Testbed, type TestbedOptions } from "../../scripts/lib/envoy/testbed.ts";
import { get as httpGet, type Reply } from "../../scripts/lib/http.ts";
import { PLUGIN_WASM } from "../../scripts/lib/paths.ts";

export { referenceTag as expectedTag } from "../support/fnv1a.ts";
export { PLUGIN_WASM };

export function chainFor(mockcVersion: string): string {
  return `-> mocka(version: v1, ip: 127.0.0.1)-> mockb(version: v1, ip: 127.0.0.1)-> mockc(version: ${mockcVersion}, ip: 127.0.0.1)`;
}

/** Fails (never skips) when the plugin is unbuilt or no Envoy can run it; installs Envoy if needed. */
export function envoyForTests(): Promise<EnvoyBinary> {
  return ensureEnvoy(PLUGIN_WASM);
}

export type { Reply } from "../../scripts/lib/http.ts";

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** A GET over the suite's keep-alive connections. */
export function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return httpGet(url, { headers, agent });
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The tag the filter wrote, read back through the test-only echo route (no app hops). */
export async function tagOf(ingressUrl: string, user: string): Promise<string | undefined> {
  const r = await get(`${ingressUrl}/_tag`, { "x-user-id": user });
  if (r.status !== 200) throw new Error(`GET /_tag as ${user}: got HTTP ${r.status}, want 200`);
  const tag = r.headers["x-asm-prefer-tag"];
  return typeof tag === "string" && tag !== "" ? tag : undefined;
}

/** Wraps a test body so a failure carries the tail of each Envoy's log (the gateway's, then the sidecars'). */
export function withEnvoyLog(envoys: () => EnvoyProcess | EnvoyProcess[] | undefined, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (e) {
      const err = e as Error;
      for (const proc of [envoys() ?? []].flat()) err.message += `\n--- envoy log tail (${proc.logPath}) ---\n${proc.logTail(40)}`;
      throw err;
    }
  };
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function syntheticUsers(n: number, prefix = "user-"): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

/** Drops pooled keep-alive connections so the test process can exit. */
export function closeClients(): void {
  agent.destroy();
}

/**
 * The testbed of one test file (or describe block): started (with the /_tag echo) before its tests, stopped after them.
 * `bed()` returns it; `e2e(body)` wraps a test body so that a failure carries Envoy's log.
 */
export function useTestbed(options: Partial<TestbedOptions> = {}): {
  bed: () => Testbed;
  e2e: (body: () => Promise<void>) => () => Promise<void>;
} {
  let bed: Testbed | undefined;
  before(async () => {
    const envoy = await envoyForTests();
    bed = await startTestbed({ envoyBin: envoy.bin, wasmPath: PLUGIN_WASM, tagEcho: true, ...options });
  });
  after(async () => {
    await bed?.stop();
    closeClients();
  });
  return {
    bed: () => {
      if (!bed) throw new Error("the testbed did not start (see the before hook's error)");
      return bed;
    },
    e2e: (body) => withEnvoyLog(() => bed && [bed.envoy, ...bed.sidecars.map((s) => s.envoy)], body),
  };
}
