// What the real-Istio suite needs, the chain it runs on, and the answers it expects from the sample app.
import assert from "node:assert/strict";
import { accessSync, closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Agent } from "../../scripts/istio/agent.ts";
import { missingPrerequisites } from "../../scripts/istio/control-plane.ts";
import { AGENT_WASM_CACHE } from "../../scripts/istio/gateway.ts";
import { type ChainVariant, type LocalIstio, startLocalIstio, stopLocalIstio } from "../../scripts/istio/local-istio.ts";
import { killAllNow, tail, waitFor } from "../../scripts/istio/processes.ts";
import type { SampleInstance } from "../../scripts/istio/sample-app.ts";
import { BUILD_COMMAND } from "../../scripts/istio/versions.ts";
import { ask } from "../../scripts/istio/walkthrough.ts";
import type { PassThroughMode } from "../../scripts/lib/envoy/topology.ts";
import { referenceTag } from "../support/fnv1a.ts";
import { BUILDAH, DOCKER_REGISTRY, installed, skipLoudly } from "../support/required-tools.ts";

function missing(): string[] {
  const found = missingPrerequisites();
  for (const tool of [BUILDAH, DOCKER_REGISTRY]) if (!installed(tool)) found.push(`${tool.command}: \`${tool.install}\``);
  // pilot-agent's Wasm cache is a fixed system path, and the Gateway's port 80 is privileged.
  const writable = (path: string) => {
    try {
      accessSync(path, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  };
  const cacheParent = existsSync(AGENT_WASM_CACHE) ? AGENT_WASM_CACHE : "/var/lib";
  if (process.getuid?.() !== 0 || !writable(cacheParent)) found.push(`root (port 80 and ${AGENT_WASM_CACHE})`);
  return found;
}

/** undefined when the chain can run; otherwise the loud skip message (a failure under CI=true). */
export function skipReason(suite = "istio"): string | undefined {
  const gaps = missing();
  if (gaps.length === 0) return undefined;
  return skipLoudly(
    suite,
    `it needs ${gaps.join("; ")}`,
    `run \`apt-get install etcd-server buildah docker-registry && ${BUILD_COMMAND}\` as root`,
  );
}

/** One chain at a time on a machine: they share the gateway's port 80 and pilot-agent's Wasm cache. */
const CHAIN_LOCK = join(tmpdir(), "hash-tagging-istio-e2e.lock");
const LOCK_WAIT_MS = 15 * 60_000;

function holderAlive(): boolean {
  try {
    process.kill(Number(readFileSync(CHAIN_LOCK, "utf8")), 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (bounded) until no other chain of this suite runs, then holds the lock until released. */
async function lockChain(): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(CHAIN_LOCK, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(CHAIN_LOCK, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (!holderAlive()) rmSync(CHAIN_LOCK, { force: true });
      else if (Date.now() > deadline)
        throw new Error(`another local Istio chain of this suite still runs after ${LOCK_WAIT_MS / 60_000} min (${CHAIN_LOCK})`);
      else await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/**
 * The chain of this test file (the shipped deployment, or `variant`'s): started before its tests, stopped
 * after them (and on SIGINT/SIGTERM), whatever their outcome. `istio()` returns it.
 */
export function useLocalIstio(skip: string | undefined, mode: PassThroughMode = "trace-id", variant: ChainVariant = {}): () => LocalIstio {
  const stateDir = mkdtempSync(join(tmpdir(), "hash-tagging-istio-e2e-"));
  let chain: LocalIstio | undefined;
  let unlock = () => {};
  const abort = () => {
    killAllNow(stateDir);
    unlock();
    rmSync(stateDir, { recursive: true, force: true });
    process.exit(130);
  };
  before(async () => {
    if (skip) return;
    process.once("SIGINT", abort);
    process.once("SIGTERM", abort);
    unlock = await lockChain();
    chain = await startLocalIstio(stateDir, (line) => console.log(`# istio: ${line}`), mode, variant);
  });
  after(async () => {
    await stopLocalIstio(stateDir);
    unlock();
    process.off("SIGINT", abort);
    process.off("SIGTERM", abort);
  });
  return () => {
    if (!chain) throw new Error("the local Istio chain did not start (see the before hook's error)");
    return chain;
  };
}

/**
 * A test of a chain's file: skipped with the suite, and a failure carries the tail of each sidecar's log
 * (pilot-agent and Envoy), and of the gateway's: the chain's with `gateway` true, or the one it returns.
 */
export function chainTest(skip: string | undefined, istio: () => LocalIstio, gateway: boolean | (() => Agent) = false) {
  return (name: string, body: () => Promise<void>): void => {
    test(name, { skip }, async () => {
      try {
        await body();
      } catch (e) {
        let chain: LocalIstio | undefined;
        let front: Agent | undefined;
        try {
          chain = istio();
          front = gateway === true ? chain.gateway : gateway ? gateway() : undefined;
        } catch {} // the chain did not start: the before hook's error says why
        const agents = [...(chain?.sidecars ?? new Map()), ...(front ? [["gateway", front] as const] : [])];
        for (const [name, agent] of agents) (e as Error).message += `\n--- ${name} log tail ---\n${tail(agent.process.log, 20)}`;
        throw e;
      }
    });
  };
}

/** The mockc version the chain reached for `user` through the gateway; anything but a 200 with mockc in it fails. */
export async function versionThrough(istio: LocalIstio, user: string | undefined, headers?: Record<string, string>): Promise<string> {
  const r = await ask(istio.gatewayUrl, user, headers);
  assert.equal(r.status, 200, `user ${user}: HTTP ${r.status}: ${r.body}`);
  return mockcVersion(r.body) ?? assert.fail(`user ${user}: no mockc in the answer: ${r.body}`);
}

/** Waits until every user rides the lane `canaryRange` gives, each asked once per round. */
export async function lanesSettle(
  istio: () => LocalIstio,
  users: readonly string[],
  canaryRange: number,
  timeoutMs = 60_000,
): Promise<void> {
  await waitFor(
    `every user on the lane of range ${canaryRange}`,
    async () => {
      for (const user of users) if ((await versionThrough(istio(), user)) !== expectedVersion(user, canaryRange)) return undefined;
      return true;
    },
    timeoutMs,
  );
}

/** The chain the sample app answers when each app's `versions[app]` instance serves it (v1 where unnamed), in call order. */
export function chainThrough(instances: SampleInstance[], versions: Record<string, string>): string {
  const apps = [...new Set(instances.map((i) => i.app))];
  return apps
    .map((app) => {
      const version = versions[app] ?? "v1";
      const i = instances.find((x) => x.app === app && x.version === version);
      if (!i) throw new Error(`no sample instance ${app} ${version}`);
      return `-> ${app}(version: ${version}, ip: ${i.ip})`;
    })
    .join("");
}

/** The chain the walk-through prints when mockc's `version` instance answers. */
export function chainFor(instances: SampleInstance[], mockcVersion: string): string {
  return chainThrough(instances, { mockc: mockcVersion });
}

/** mockc's version in a chain, i.e. the lane the request rode to the end. */
export function mockcVersion(body: string): string | undefined {
  return /mockc\(version: (v\d+)/.exec(body)?.[1];
}

/** Lane s2 reaches mockc v2; jason is routed there by name whatever his hash says. */
export function expectedVersion(user: string, canaryRange: number): string {
  return user === "jason" || referenceTag(user, canaryRange) === "s2" ? "v2" : "v1";
}

/** A counter or gauge of an Envoy admin API, 0 when absent. */
export async function adminStat(adminUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/stats?filter=${encodeURIComponent(`^${name.replaceAll(".", "\\.")}$`)}`)).text();
  const m = /: (\d+)\s*$/m.exec(text);
  return m ? Number(m[1]) : 0;
}
