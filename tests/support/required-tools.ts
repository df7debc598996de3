import { spawnSync } from "node:child_process";

export interface Tool {
  command: string;
  /** Arguments that make it print its version and exit 0. */
  versionArgs: string[];
  install: string;
}

export const BUILDAH: Tool = { command: "buildah", versionArgs: ["--version"], install: "apt-get install buildah" };
export const DOCKER_REGISTRY: Tool = { command: "docker-registry", versionArgs: ["--version"], install: "apt-get install docker-registry" };

export function installed(tool: Pick<Tool, "command" | "versionArgs">): boolean {
  const result = spawnSync(tool.command, tool.versionArgs, { stdio: "ignore", timeout: 15_000 });
  return !result.error && result.status === 0;
}

/**
 * The skip message for node:test, after a banner on stderr so a skipped suite cannot pass unnoticed.
 * Under CI (CI=true) it throws instead: .ci/run installs everything, so a skip there would hide a broken
 * install step.
 */
export function skipLoudly(suite: string, why: string, how: string): string {
  if (process.env.CI === "true") throw new Error(`${suite}: ${why} on CI; .ci/run must ${how}`);
  const message = `${suite}: SKIPPED because ${why}; ${how} to run it`;
  const line = "!".repeat(Math.min(message.length, 100));
  console.error(`\n${line}\n${message}\n${line}\n`);
  return message;
}

/** undefined when every tool is there; otherwise the loud skip message (a failure under CI=true). */
export function skipUnlessInstalled(suite: string, tools: Tool[]): string | undefined {
  const missing = tools.filter((tool) => !installed(tool));
  if (missing.length === 0) return undefined;
  const names = missing.map((tool) => tool.command).join(" and ");
  const how = missing.map((tool) => tool.install).join(" && ");
  return skipLoudly(suite, `${names} ${missing.length > 1 ? "are" : "is"} not installed`, `install with \`${how}\` (Debian/Ubuntu)`);
}
