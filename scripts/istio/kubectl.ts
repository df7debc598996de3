// kubectl against the local apiserver: the cached kubectl of the apiserver's own version, first on PATH,
// so a command line written as a user types it runs unchanged through `bash -c`.
import { dirname } from "node:path";
import { REPO_ROOT } from "../lib/paths.ts";
import { type CommandResult, runCaptured } from "../lib/process.ts";
import { BINARIES } from "./versions.ts";

function kubectlEnv(kubeconfig: string): Record<string, string> {
  return { KUBECONFIG: kubeconfig, PATH: `${dirname(BINARIES.kubectl)}:${process.env.PATH ?? ""}` };
}

function run(command: string, args: string[], env: Record<string, string>, input?: string): Promise<CommandResult> {
  return runCaptured(command, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, input });
}

/** Runs kubectl; throws with its stderr unless it succeeds. */
export async function kubectl(kubeconfig: string, args: string[], input?: string): Promise<string> {
  const r = await run(BINARIES.kubectl, args, kubectlEnv(kubeconfig), input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** Runs a shell command line in the repo, with kubectl pointed at the local apiserver; never throws. */
export function shell(kubeconfig: string, commandLine: string, env: Record<string, string> = {}): Promise<CommandResult> {
  return run("bash", ["-c", commandLine], { ...kubectlEnv(kubeconfig), ...env });
}
