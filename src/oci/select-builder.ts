import type { ImageBuilder } from "./image-builder.ts";
import { buildahVersion, createBuildahBuilder, BUILDAH_INSTALL_HINT, type BuildahStorage } from "./buildah.ts";
import { createDockerBuilder, probeDockerEngine } from "./docker.ts";

export type BuilderChoice = "docker" | "buildah" | "auto";

export interface SelectOptions {
  choice: BuilderChoice;
  buildahStorage: BuildahStorage;
  echo?: boolean;
}

const DOCKER_INSTALL_HINT = "install Docker Engine and start it (https://docs.docker.com/engine/install/)";

/** Docker where an engine answers, else buildah; an explicit choice is honoured or refused with the reason. */
export async function selectImageBuilder(options: SelectOptions): Promise<ImageBuilder> {
  const buildah = () => createBuildahBuilder({ storage: options.buildahStorage, echo: options.echo });
  const docker = () => createDockerBuilder({ echo: options.echo });

  if (options.choice === "buildah") {
    if (await buildahVersion()) return buildah();
    throw new Error(`IMAGE_BUILDER=buildah, but buildah is not installed: ${BUILDAH_INSTALL_HINT}`);
  }
  const engine = await probeDockerEngine();
  if (options.choice === "docker") {
    if (engine.answers) return docker();
    throw new Error(`IMAGE_BUILDER=docker, but no Docker engine answers (${engine.reason}): ${DOCKER_INSTALL_HINT}, or unset IMAGE_BUILDER to use buildah`);
  }
  if (engine.answers) return docker();
  if (await buildahVersion()) return buildah();
  throw new Error(
    `cannot build the image: no Docker engine answers (${engine.reason}) and buildah is not installed.\n` +
      `  Either ${DOCKER_INSTALL_HINT},\n  or ${BUILDAH_INSTALL_HINT} (no daemon needed).`,
  );
}
