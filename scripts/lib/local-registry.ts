import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Debian's name for the CNCF distribution registry (upstream calls the binary `registry`). */
export const REGISTRY_COMMAND = "docker-registry";
export const REGISTRY_INSTALL_HINT = "install it: `apt-get install docker-registry` (Debian/Ubuntu)";

export interface LocalRegistry {
  /** `127.0.0.1:PORT`, the host part of image names pushed here. */
  host: string;
  /** `http://127.0.0.1:PORT` */
  baseUrl: string;
  /** What the registry printed, for failure reports. */
  log(): string;
  stop(): Promise<void>;
}

// Port 0 lets the kernel pick a free port with no race; the registry logs the address it got.
function configYaml(storageDir: string): string {
  return [
    "version: 0.1",
    "log: {level: info, formatter: text}",
    `storage: {filesystem: {rootdirectory: ${JSON.stringify(storageDir)}}, delete: {enabled: true}}`,
    `http: {addr: "127.0.0.1:0", secret: ${JSON.stringify(randomBytes(16).toString("hex"))}}`,
    "",
  ].join("\n");
}

const LISTENING = /listening on 127\.0\.0\.1:(\d+)/;

/** Starts a throw-away registry on loopback with its data under `workDir`; resolves once it serves /v2/. */
export async function startLocalRegistry(workDir: string, timeoutMs = 15_000): Promise<LocalRegistry> {
  const storageDir = join(workDir, "data");
  await mkdir(storageDir, { recursive: true });
  const configPath = join(workDir, "registry.yml");
  await writeFile(configPath, configYaml(storageDir));

  const child: ChildProcess = spawn(REGISTRY_COMMAND, ["serve", configPath], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${REGISTRY_COMMAND} did not report a listening address within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === "ENOENT" ? new Error(`${REGISTRY_COMMAND} is not installed: ${REGISTRY_INSTALL_HINT}`) : error);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${REGISTRY_COMMAND} exited (code ${code}) before listening:\n${output}`));
    });
  });

  const host = `127.0.0.1:${port}`;
  const baseUrl = `http://${host}`;
  const check = await fetch(`${baseUrl}/v2/`);
  if (check.status !== 200) throw new Error(`${baseUrl}/v2/ answered ${check.status}, expected 200 (no auth)`);

  return {
    host,
    baseUrl,
    log: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
