import { spawnSync } from "node:child_process";

export interface Tool {
  command: string;
  /** Arguments that make it print its version and exit 0. */
  versionArgs: string[];
  install: string;
}

export const BUILDAH: Tool = { command: "buildah", versionArgs: ["--version"], install: "apt-get install buildah" };
export const DOCKER_REGISTRY: Tool = { command: "docker-registry", versionArgs: ["--version"], install: "apt-get install docker-registry" };

function installed(tool: Tool): boolean {
  const result = spawnSync(tool.command, tool.versionArgs, { stdio: "ignore", timeout: 15_000 });
  return !result.error && result.status === 0;
}

/**
 * undefined when every tool is there; otherwise the skip message for node:test, after a banner on stderr
 * so a skipped registry suite cannot pass unnoticed. Under CI (CI=true) a missing tool is a failure:
 * .ci/run installs them, so a skip there would hide a broken install step.
 */
export function skipUnlessInstalled(suite: string, tools: Tool[]): string | undefined {
  const missing = tools.filter((tool) => !installed(tool));
  if (missing.length === 0) return undefined;
  const names = missing.map((tool) => tool.command).join(" and ");
  const how = missing.map((tool) => tool.install).join(" && ");
  const message = `${suite}: SKIPPED because ${names} ${missing.length > 1 ? "are" : "is"} not installed; install with \`${how}\` (Debian/Ubuntu) to run it`;
  if (process.env.CI === "true") throw new Error(`${suite}: ${names} missing on CI; .ci/run must \`${how}\``);
  const line = "!".repeat(Math.min(message.length, 100));
  console.error(`\n${line}\n${message}\n${line}\n`);
  return message;
}
