import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type CommandResult, runCaptured as runCommand } from "../../../scripts/lib/process.ts";
import { PROJECT_DIR } from "./project.ts";

export type ScriptRun = CommandResult;

// By absolute URL, so the script also runs from a directory without node_modules (a copied build context).
const TSX = import.meta.resolve("tsx");
const IMAGE_SCRIPT = join(PROJECT_DIR, "scripts", "image.ts");

/** Runs a command to completion in `cwd` with exactly `env`, capturing its output. */
export function runCaptured(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = PROJECT_DIR): Promise<ScriptRun> {
  return runCommand(command, args, { cwd, env });
}

/** scripts/image.ts (what `npm run image` and `npm run image:push` run), in `cwd`, with exactly `env`. */
export function runImageScript(args: string[], env: NodeJS.ProcessEnv, cwd = PROJECT_DIR): Promise<ScriptRun> {
  return runCaptured(process.execPath, ["--import", TSX, IMAGE_SCRIPT, ...args], env, cwd);
}

/** The digest `image:push` printed on its `manifest digest:` line; throws with its output if it failed. */
export function printedDigest(run: ScriptRun): string {
  const digest = /^manifest digest: (sha256:[0-9a-f]{64})$/m.exec(run.stdout)?.[1];
  if (run.code !== 0 || !digest)
    throw new Error(`image:push failed (exit ${run.code}) or printed no digest:\n${run.stdout}\n${run.stderr}`);
  return digest;
}

/** The environment of an image:push with buildah into a store of its own under `storeDir` (nothing cached). */
export async function buildahEnv(storeDir: string, settings: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  await mkdir(storeDir, { recursive: true });
  const conf = join(storeDir, "storage.conf");
  await writeFile(conf, `[storage]\ndriver = "vfs"\ngraphroot = "${join(storeDir, "root")}"\nrunroot = "${join(storeDir, "run")}"\n`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    IMAGE_BUILDER: "buildah",
    TLS_VERIFY: "false",
    CONTAINERS_STORAGE_CONF: conf,
    ...settings,
  };
  for (const name of ["STORAGE_DRIVER", "IMAGE_FORMAT", "SOURCE_DATE_EPOCH"]) if (!(name in settings)) delete env[name];
  return env;
}
