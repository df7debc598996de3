// Background processes of the local Istio chain: each in a session of its own (so it outlives the npm
// script that started it and its children go with it), its output in a log file, its pid in the state
// folder so that `npm run istio:down` or a test's cleanup stops exactly what was started.
import { spawn } from "node:child_process";
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export interface Started {
  name: string;
  pid: number;
  log: string;
}

const pidsFile = (stateDir: string) => join(stateDir, "pids");
const logFile = (stateDir: string, name: string) => join(stateDir, "logs", `${name}.log`);

export function startDetached(
  stateDir: string,
  name: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Started {
  mkdirSync(join(stateDir, "logs"), { recursive: true });
  const log = logFile(stateDir, name);
  const fd = openSync(log, "a");
  try {
    const child = spawn(command, args, {
      cwd: options.cwd ?? stateDir,
      env: { ...process.env, ...options.env },
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    if (child.pid === undefined) throw new Error(`${name}: cannot start ${command} (not installed?)`);
    child.on("error", () => {}); // reported through the pid check and the log instead
    child.unref();
    appendFileSync(pidsFile(stateDir), `${child.pid} ${name}\n`);
    return { name, pid: child.pid, log };
  } finally {
    closeSync(fd);
  }
}

/** A zombie still answers kill(pid, 0); /proc tells it has exited. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stops every process recorded in the state folder, last started first: SIGTERM to its session, then SIGKILL. */
export async function stopAll(stateDir: string): Promise<string[]> {
  if (!existsSync(pidsFile(stateDir))) return [];
  const entries = readFileSync(pidsFile(stateDir), "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .reverse()
    .map((line) => {
      const [pid, name] = line.split(" ");
      return { pid: Number(pid), name };
    });
  const stopped: string[] = [];
  for (const { pid, name } of entries) if (await stopSession(pid)) stopped.push(`${name} (pid ${pid})`);
  // Children left behind in a session (Envoy under pilot-agent) go with a last SIGKILL to each group.
  for (const { pid } of entries) signalGroup(pid, "SIGKILL");
  return stopped;
}

/** SIGTERM to a recorded process's session, SIGKILL after 5 s; false when it had already exited. */
async function stopSession(pid: number): Promise<boolean> {
  if (!alive(pid)) return false;
  signalGroup(pid, "SIGTERM");
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  signalGroup(pid, "SIGKILL");
  return true;
}

/** Stops one process of the chain (and its session: Envoy under pilot-agent) before the rest, e.g. a gateway. */
export async function stopOne(started: Started): Promise<void> {
  await stopSession(started.pid);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function tail(path: string, lines = 30): string {
  if (!existsSync(path)) return "(no log)";
  return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/** Polls `check` until it returns a value; the error names what was awaited and shows the log's tail. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, proc?: Started): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (proc && !alive(proc.pid)) throw new Error(`${proc.name} exited while waiting for ${what}; its log:\n${tail(proc.log)}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(250);
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${last})` : ""}${proc ? `; ${proc.name}'s log:\n${tail(proc.log)}` : ""}`,
  );
}

/** A port the kernel says is free on 127.0.0.1 now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** For signal handlers, which cannot wait: SIGKILL to every recorded session, at once. */
export function killAllNow(stateDir: string): void {
  if (!existsSync(pidsFile(stateDir))) return;
  for (const line of readFileSync(pidsFile(stateDir), "utf8").trim().split("\n").filter(Boolean))
    signalGroup(Number(line.split(" ")[0]), "SIGKILL");
}

/** Whether something already listens on host:port (a second chain would lose its gateway port to it). */
export function inUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}
