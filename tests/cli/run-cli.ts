// Runs the CLI the way an operator does (the package's bin), and scratch files for its inputs.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";

export const SHIPPED = "deploy/istio/base/wasmplugin.yaml";
const BIN = "scripts/cli/hash-tagging.js";

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], input?: string | Uint8Array): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], { input, encoding: "utf8", maxBuffer: 1 << 26 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the CLI (with `nodeFlags`) and reads its peak resident memory from /proc while it runs. */
export function runCliMeasuringRss(args: string[], nodeFlags: string[] = []): Promise<CliResult & { peakRssKiB: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let peakRssKiB = 0;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
        if (hwm) peakRssKiB = Math.max(peakRssKiB, Number(hwm[1]));
      } catch {
        // The child has just exited.
      }
    }, 20);
    child.on("error", reject);
    child.on("close", (status) => {
      clearInterval(timer);
      resolve({ status, stdout, stderr, peakRssKiB });
    });
  });
}

/** A bad input's answer: the given exit code, nothing on stdout, one line on stderr matching `pattern`. */
export function assertOneLineError(result: CliResult, status: number, pattern: RegExp): void {
  assert.equal(result.status, status, `exit code (stderr: ${result.stderr})`);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr.trimEnd().split("\n").length, 1, `one line, got: ${result.stderr}`);
  assert.match(result.stderr, /^hash-tagging: /);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  assert.match(result.stderr, pattern);
}

/** A scratch directory removed after the suite; `file` writes one file into it and returns its path. */
export function scratch(prefix: string): { dir: string; file(name: string, content: string | Uint8Array): string } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
  };
}

/** A pluginConfig as JSON text, for crafted configurations. */
export const json = (config: unknown): string => JSON.stringify(config);
