// A Docker engine for the suites that build and run containers: the one that answers `docker info`, or else
// a private dockerd started here (vfs storage, its own data root, exec root, pid file and socket in a temp
// dir), so a test never touches the engine and images a user already has. Stopped and removed after the tests.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installed, skipLoudly } from "./required-tools.ts";

const DOCKER_INFO = { command: "docker", versionArgs: ["info", "--format", "{{.ServerVersion}}"] };
const INSTALL = "install with `apt-get install docker.io` (Debian/Ubuntu; the tests start dockerd themselves when run as root)";

export interface DockerEngine {
  /** The environment for every docker, compose and npm command a test runs (DOCKER_HOST set when private). */
  env: NodeJS.ProcessEnv;
  /** True when this process started the engine, false when it uses one that was already running. */
  private: boolean;
  stop(): Promise<void>;
}

/** undefined when an engine answers or one can be started; else the loud skip message (a failure on CI). */
export function skipUnlessDockerEngine(suite: string): string | undefined {
  if (installed(DOCKER_INFO)) return undefined;
  if (!installed({ command: "docker", versionArgs: ["--version"] })) return skipLoudly(suite, "docker is not installed", INSTALL);
  if (!installed({ command: "dockerd", versionArgs: ["--version"] }))
    return skipLoudly(suite, "no Docker engine answers and dockerd is not installed", INSTALL);
  if (process.getuid?.() !== 0)
    return skipLoudly(suite, "no Docker engine answers and only root can start dockerd", "start a Docker engine, or run as root");
  return undefined;
}

function answers(env: NodeJS.ProcessEnv): boolean {
  return spawnSync("docker", DOCKER_INFO.versionArgs, { env, stdio: "ignore", timeout: 15_000 }).status === 0;
}

/** The running engine, or a private one started for these tests (resolves once it answers `docker info`). */
export async function startDockerEngine(timeoutMs = 90_000): Promise<DockerEngine> {
  if (answers(process.env)) return { env: process.env, private: false, stop: async () => {} };
  // Short path: a unix socket path must fit in 108 bytes.
  const dir = mkdtempSync(join(tmpdir(), "dockerd-"));
  const env = { ...process.env, DOCKER_HOST: `unix://${join(dir, "docker.sock")}` };
  const logPath = join(dir, "dockerd.log");
  // Its own (empty) config file: a user's /etc/docker/daemon.json could conflict with the flags below.
  writeFileSync(join(dir, "daemon.json"), "{}\n");
  const log = openSync(logPath, "a");
  const dockerd = spawn(
    "dockerd",
    [
      "--config-file",
      join(dir, "daemon.json"),
      "--storage-driver=vfs",
      "--data-root",
      join(dir, "data"),
      "--exec-root",
      join(dir, "exec"),
      "--pidfile",
      join(dir, "dockerd.pid"),
      "-H",
      env.DOCKER_HOST,
    ],
    { stdio: ["ignore", log, log] },
  );
  const exited = new Promise<void>((resolve) => dockerd.once("exit", () => resolve()));
  // Last resort if the process dies without running the tests' after hooks.
  const onExit = () => {
    dockerd.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);

  const stop = async () => {
    process.removeListener("exit", onExit);
    if (dockerd.exitCode === null && dockerd.signalCode === null) {
      dockerd.kill("SIGTERM");
      const killer = setTimeout(() => dockerd.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  while (!answers(env)) {
    if (dockerd.exitCode !== null || Date.now() > deadline) {
      const tail = readFileSync(logPath, "utf8").trim().split("\n").slice(-15).join("\n");
      await stop();
      throw new Error(
        `dockerd ${dockerd.exitCode !== null ? `exited (code ${dockerd.exitCode})` : `did not answer within ${timeoutMs} ms`}:\n${tail}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { env, private: true, stop };
}
