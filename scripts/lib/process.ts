// The one way the tooling runs a command to completion and reads what it printed.
import { spawn, spawnSync } from "node:child_process";

export interface CommandResult {
  /** Exit code, or 1 when a signal ended the command. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** The command's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin, which is closed after it. */
  input?: string;
}

/** Runs `command` with `args`, capturing its output; rejects only when it cannot start. */
export function runCaptured(command: string, args: string[], o: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: [o.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk) => (stdout += chunk));
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (o.input !== undefined) child.stdin!.end(o.input);
  });
}

export interface SyncRunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** "capture" (default) returns it; "stderr" shows it on our stderr as it comes (progress). */
  stdout?: "capture" | "stderr";
  /** "capture" (default) returns it; "inherit" shows it as it comes. */
  stderr?: "capture" | "inherit";
}

/** Runs `command` to completion, synchronously; `code` is -1 when it could not start or timed out. */
export function runSync(command: string, args: string[], o: SyncRunOptions = {}): CommandResult & { error?: Error } {
  const result = spawnSync(command, args, {
    cwd: o.cwd,
    env: o.env ?? process.env,
    encoding: "utf8",
    maxBuffer: 1 << 28,
    timeout: o.timeoutMs,
    stdio: ["ignore", o.stdout === "stderr" ? 2 : "pipe", o.stderr === "inherit" ? "inherit" : "pipe"],
  });
  const code = result.error ? -1 : (result.status ?? -1);
  return { code, stdout: result.stdout ?? "", stderr: result.stderr ?? "", error: result.error };
}
