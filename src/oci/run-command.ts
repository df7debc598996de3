import { spawn } from "node:child_process";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Copy the tool's output to our stderr as it runs (user-facing builds show progress). */
  echo?: boolean;
  /** Kill the program after this long (a hung engine must not hang the build). */
  timeoutMs?: number;
}

/** Thrown when the program is not installed, so callers can say how to install it. */
export class CommandNotFoundError extends Error {
  constructor(readonly command: string) {
    super(`${command}: command not found on PATH`);
  }
}

/** Runs a program to completion; never throws on a non-zero exit (callers decide what it means). */
export function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    // Our own timer rather than spawn's `timeout`, which stays armed when the program is not found.
    let timedOut = false;
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill("SIGKILL");
        }, options.timeoutMs)
      : undefined;
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      stdout.push(chunk);
      if (options.echo) process.stderr.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr.push(chunk);
      if (options.echo) process.stderr.write(chunk);
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === "ENOENT" ? new CommandNotFoundError(command) : error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8") + (timedOut ? `\n${command}: no answer within ${options.timeoutMs} ms, killed` : ""),
      });
    });
  });
}

/** The command line as a person would retype it, for error messages. */
export function describeCommand(command: string, args: string[]): string {
  return [command, ...args].map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : JSON.stringify(part))).join(" ");
}

/** Runs and throws with the tool's own words when it fails. */
export async function runOrThrow(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    // When the output was already shown as it ran, repeating it would only bury the error line.
    const failed = `\`${describeCommand(command, args)}\` failed (exit ${result.code})`;
    if (options.echo) throw new Error(`${failed}; its output is above`);
    const output = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-15).join("\n");
    throw new Error(`${failed}:\n${output}`);
  }
  return result;
}
