// Runs one Envoy in its own temp dir: dynamic base id and port-0 friendly, so several can run at once.
// Its admin address comes back through --admin-address-path; listener ports through admin /listeners.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { get } from "../http.ts";

export interface StartEnvoyOptions {
  bin: string;
  /** Bootstrap object (written as YAML) or YAML text. */
  config: object | string;
  /** Worker threads; 1 keeps parallel test runs light. */
  concurrency?: number;
  logLevel?: string;
  readyTimeoutMs?: number;
  /** Existing directory to use instead of a fresh temp dir (kept on stop). */
  workDir?: string;
  /** A command Envoy runs under, such as valgrind with its options. */
  wrapper?: string[];
  /** How long one admin request may take (default 5 s; far longer under valgrind). */
  adminTimeoutMs?: number;
  /** Further command-line options, such as --drain-time-s. */
  args?: string[];
}

/** Envoy did not come up; `log` holds its whole log (its work dir is already removed). */
export class EnvoyStartError extends Error {
  constructor(
    message: string,
    readonly log: string,
    readonly exit: Exit | undefined,
  ) {
    super(message);
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const running = new Set<ChildProcess>();
// Last resort when the parent exits without stopping its Envoys (an uncaught error, process.exit).
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export class EnvoyProcess {
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  private constructor(
    readonly child: ChildProcess,
    readonly workDir: string,
    readonly logPath: string,
    private readonly ownsWorkDir: boolean,
    private readonly adminTimeoutMs: number,
    public adminUrl = "",
  ) {
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        running.delete(child);
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  static async start(o: StartEnvoyOptions): Promise<EnvoyProcess> {
    const workDir = o.workDir ?? mkdtempSync(join(tmpdir(), "envoy-"));
    const configPath = join(workDir, "envoy.yaml");
    const adminPath = join(workDir, "admin-address");
    const logPath = join(workDir, "envoy.log");
    rmSync(adminPath, { force: true });
    writeFileSync(configPath, typeof o.config === "string" ? o.config : stringify(o.config, { lineWidth: 0 }));
    const args = [
      "-c",
      configPath,
      "--use-dynamic-base-id",
      "--admin-address-path",
      adminPath,
      "--concurrency",
      String(o.concurrency ?? 2),
      "-l",
      o.logLevel ?? "info",
      ...(o.args ?? []),
    ];
    const logFd = openSync(logPath, "a");
    const [command, ...commandArgs] = [...(o.wrapper ?? []), o.bin, ...args];
    const child = spawn(command, commandArgs, { stdio: ["ignore", logFd, logFd] });
    closeSync(logFd);
    running.add(child);
    const envoy = new EnvoyProcess(child, workDir, logPath, o.workDir === undefined, o.adminTimeoutMs ?? 5_000);
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (e) => reject(new Error(`cannot start ${o.bin}: ${e.message}`)));
    });
    try {
      await envoy.waitReady(adminPath, o.readyTimeoutMs ?? 30_000);
    } catch (e) {
      const log = envoy.log();
      await envoy.stop();
      throw new EnvoyStartError((e as Error).message, log, envoy.exit);
    }
    return envoy;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resident memory in MiB, from /proc: a Wasm VM's heap and shared data show here, not in Envoy's /memory. */
  rssMiB(): number {
    return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.pid}/status`, "utf8"))?.[1]) / 1024;
  }

  log(): string {
    return existsSync(this.logPath) ? readFileSync(this.logPath, "utf8") : "";
  }

  /** The last lines of the log, each cut to 400 characters (startup lists every extension on one line). */
  logTail(lines = 60): string {
    return this.log()
      .trimEnd()
      .split("\n")
      .slice(-lines)
      .map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l))
      .join("\n");
  }

  private failure(why: string): Error {
    return new Error(`envoy (pid ${this.pid}) ${why}\n--- envoy log (${this.logPath}) ---\n${this.logTail()}`);
  }

  private async waitReady(adminPath: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "no admin address yet";
    while (Date.now() < deadline) {
      if (this.exit) throw this.failure(`exited during startup (code ${this.exit.code}, signal ${this.exit.signal})`);
      if (!this.adminUrl && existsSync(adminPath)) {
        const addr = readFileSync(adminPath, "utf8").trim();
        if (addr) this.adminUrl = `http://${addr}`;
      }
      if (this.adminUrl) {
        try {
          const res = await get(`${this.adminUrl}/ready`, { timeoutMs: this.adminTimeoutMs });
          last = `/ready answered ${res.status} ${res.body.trim()}`;
          if (res.status === 200) return;
        } catch (e) {
          last = `/ready: ${(e as Error).message}`;
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw this.failure(`not ready after ${timeoutMs} ms (${last})`);
  }

  async admin(path: string): Promise<string> {
    const res = await get(`${this.adminUrl}${path}`, { timeoutMs: this.adminTimeoutMs });
    if (res.status !== 200) throw new Error(`envoy admin ${path}: ${res.status} ${res.body.trim()}`);
    return res.body;
  }

  /** Port a listener actually bound (listeners configured with port 0 get one from the kernel). */
  async listenerPort(name: string): Promise<number> {
    const body = JSON.parse(await this.admin("/listeners?format=json")) as {
      listener_statuses?: { name: string; local_address?: { socket_address?: { port_value?: number } } }[];
    };
    const l = body.listener_statuses?.find((s) => s.name === name);
    const port = l?.local_address?.socket_address?.port_value;
    if (!port) throw this.failure(`has no bound listener named "${name}" (admin /listeners: ${JSON.stringify(body)})`);
    return port;
  }

  /** Counter or gauge value from admin /stats, 0 when the stat does not exist yet. */
  async stat(name: string): Promise<number> {
    const text = await this.admin(`/stats?filter=${encodeURIComponent(`^${name.replace(/[.]/g, "\\.")}$`)}`);
    const m = /: (\d+)\s*$/m.exec(text);
    return m ? Number(m[1]) : 0;
  }

  /** SIGTERM, then SIGKILL if Envoy has not exited within `graceMs`. */
  async stop(graceMs = 5_000): Promise<Exit> {
    if (!this.exit) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.ownsWorkDir && !process.env.KEEP_ENVOY_WORKDIR) rmSync(this.workDir, { recursive: true, force: true });
    return this.exit!;
  }
}
