// The one way the tooling runs a command to completion and reads what it printed.
import { spawn } from "node:child_process";

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
    const child = spawn(command, args, { cwd: o.cwd, env: o.env ?? process.env, stdio: [o.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk) => (stdout += chunk));
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (o.input !== undefined) child.stdin!.end(o.input);
  });
}
