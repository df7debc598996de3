import type { BuildRequest, ImageBuilder, PushRequest } from "./image-builder.ts";
import { runCommand, runOrThrow, CommandNotFoundError } from "./run-command.ts";

export interface DockerEngineStatus {
  answers: boolean;
  /** Why not, in docker's words, when it does not. */
  reason: string;
}

/** `docker` on PATH is only the client; builds need an engine that answers `docker info`. */
export async function probeDockerEngine(): Promise<DockerEngineStatus> {
  try {
    const result = await runCommand("docker", ["info", "--format", "{{.ServerVersion}}"], { timeoutMs: 20_000 });
    if (result.code === 0 && result.stdout.trim() !== "") return { answers: true, reason: "" };
    const said = (result.stderr.trim() || result.stdout.trim()).split("\n").find((line) => line.trim() !== "") ?? `exit ${result.code}`;
    return { answers: false, reason: `\`docker info\` failed: ${said}` };
  } catch (error) {
    if (error instanceof CommandNotFoundError) return { answers: false, reason: "docker is not installed" };
    throw error;
  }
}

const PUSHED_DIGEST = /digest: (sha256:[0-9a-f]{64})/;

export function createDockerBuilder(options: { echo?: boolean } = {}): ImageBuilder {
  const echo = options.echo ?? false;
  return {
    name: "docker",

    async build(request: BuildRequest): Promise<void> {
      // BuildKit (Docker 23+) stamps SOURCE_DATE_EPOCH on the image config; the legacy builder ignores it.
      await runOrThrow("docker", [
        "build",
        "--build-arg", `SOURCE_DATE_EPOCH=${request.sourceDateEpoch}`,
        "-f", request.dockerfile,
        "-t", request.image,
        request.contextDir,
      ], { cwd: request.contextDir, echo });
    },

    async push(request: PushRequest): Promise<string> {
      // docker has no per-push TLS switch: plain-HTTP registries other than 127.0.0.0/8 must be listed in
      // the engine's "insecure-registries"; and it pushes the manifest format its image store holds.
      if (request.format === "oci") {
        process.stderr.write("note: IMAGE_FORMAT=oci is a buildah option; docker pushes the format its image store holds\n");
      }
      const result = await runOrThrow("docker", ["push", request.image], { echo });
      const match = PUSHED_DIGEST.exec(result.stdout) ?? PUSHED_DIGEST.exec(result.stderr);
      if (!match) throw new Error(`docker push ${request.image} succeeded but printed no "digest: sha256:..." line:\n${result.stdout.trim()}`);
      return match[1];
    },
  };
}
