// Exact instruction counts of Envoy under valgrind's callgrind: start Envoy (one worker) with counting
// off, then count only what a measured run of requests executes.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TagRoutesOptions, tagRoutesBootstrap } from "../lib/envoy/bootstrap.ts";
import { EnvoyProcess } from "../lib/envoy/process.ts";

export function requireTool(tool: string, debianPackage: string): void {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
  } catch {
    console.log(`installing ${debianPackage} (for ${tool})`);
    execFileSync("apt-get", ["install", "-y", "-qq", debianPackage], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  }
}

/** callgrind_control exits 0 even when it finds no such process: its output tells. */
function callgrindControl(pid: number, ...args: string[]): void {
  const out = execFileSync("callgrind_control", [...args, String(pid)], { encoding: "utf8" });
  if (/Error|No active/.test(out)) throw new Error(`callgrind_control ${args.join(" ")} ${pid}: ${out.trim()}`);
}

/** `requests` keep-alive requests with `headers` (h2load --h1 -c 1); throws unless all succeed. */
export function h2load(port: number, requests: number, headers: string[]): void {
  const out = execFileSync(
    "h2load",
    ["--h1", "-n", String(requests), "-c", "1", ...headers.flatMap((h) => ["-H", h]), `http://127.0.0.1:${port}/`],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  );
  const done = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed/.exec(out);
  if (!done || Number(done[1]) !== requests) throw new Error(`h2load did not complete ${requests} requests:\n${out}`);
}

/** An Envoy under callgrind running `filters` on the "bench" listener (tagRoutesBootstrap). */
export class CountedEnvoy {
  private dumped = new Set<string>();

  private constructor(
    readonly envoy: EnvoyProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(bin: string, filters: object[], options: TagRoutesOptions = {}): Promise<CountedEnvoy> {
    const dir = mkdtempSync(join(tmpdir(), "hash-tagging-callgrind-"));
    const envoy = await EnvoyProcess.start({
      bin,
      config: tagRoutesBootstrap(filters, options),
      concurrency: 1,
      logLevel: "warn",
      readyTimeoutMs: 300_000,
      adminTimeoutMs: 120_000,
      wrapper: [
        "valgrind",
        "--tool=callgrind",
        "--smc-check=all-non-file",
        "--instr-atstart=no",
        "--trace-children=yes",
        `--callgrind-out-file=${join(dir, "callgrind.out")}`,
      ],
    });
    return new CountedEnvoy(envoy, dir, await envoy.listenerPort("bench"));
  }

  /** Instructions Envoy executed during `run` (counting on only meanwhile; each dump resets the count). */
  count(run: () => void): number {
    callgrindControl(this.envoy.pid, "-i", "on");
    run();
    callgrindControl(this.envoy.pid, "-i", "off");
    callgrindControl(this.envoy.pid, "-d");
    let total = 0;
    for (const file of readdirSync(this.dir).filter((f) => f.startsWith("callgrind.out") && !this.dumped.has(f))) {
      this.dumped.add(file);
      const m = /^totals: (\d+)/m.exec(readFileSync(join(this.dir, file), "utf8"));
      if (m) total += Number(m[1]);
    }
    if (total === 0) throw new Error(`no callgrind totals in ${this.dir}`);
    return total;
  }

  async stop(): Promise<void> {
    await this.envoy.stop(30_000);
    if (!process.env.KEEP_CALLGRIND) rmSync(this.dir, { recursive: true, force: true });
  }
}
