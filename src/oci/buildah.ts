import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BuildRequest, ImageBuilder, PushRequest } from "./image-builder.ts";
import { isSha256Digest } from "./digest.ts";
import { runCommand, runOrThrow, CommandNotFoundError } from "./run-command.ts";

export interface BuildahStorage {
  /** `vfs` works everywhere (containers, no overlay support, no root-owned fuse); others are faster. */
  driver: string;
  /** Separate image store (tests use a temporary one); the user's default store otherwise. */
  root?: string;
  runRoot?: string;
}

export interface BuildahOptions {
  storage: BuildahStorage;
  /** Show buildah's progress output. */
  echo?: boolean;
}

export const BUILDAH_INSTALL_HINT = "install buildah: `apt-get install buildah` (Debian/Ubuntu), `dnf install buildah` (Fedora/RHEL)";

export async function buildahVersion(): Promise<string | null> {
  try {
    const result = await runCommand("buildah", ["--version"], { timeoutMs: 15_000 });
    return result.code === 0 ? result.stdout.trim() : null;
  } catch (error) {
    if (error instanceof CommandNotFoundError) return null;
    throw error;
  }
}

function storageArgs(storage: BuildahStorage): string[] {
  const args = ["--storage-driver", storage.driver];
  if (storage.root) args.push("--root", storage.root);
  if (storage.runRoot) args.push("--runroot", storage.runRoot);
  return args;
}

export function createBuildahBuilder(options: BuildahOptions): ImageBuilder {
  const global = storageArgs(options.storage);
  const echo = options.echo ?? false;
  return {
    name: "buildah",

    async build(request: BuildRequest): Promise<void> {
      // Always build OCI: buildah's docker-format config carries a random build-container id and hostname,
      // so two builds would never share a digest. The docker manifest is produced at push time instead.
      await runOrThrow("buildah", [
        ...global, "build",
        "--isolation", "chroot",
        "--format", "oci",
        "--timestamp", String(request.sourceDateEpoch),
        "--omit-history",
        // The identity label records buildah's version: the same wasm would change digest on a buildah upgrade.
        "--identity-label=false",
        "--layers=false",
        "-f", request.dockerfile,
        "-t", request.image,
        request.contextDir,
      ], { cwd: request.contextDir, echo });
    },

    async push(request: PushRequest): Promise<string> {
      const scratch = await mkdtemp(join(tmpdir(), "buildah-push-"));
      const digestFile = join(scratch, "digest");
      try {
        await runOrThrow("buildah", [
          ...global, "push",
          "--format", request.format === "docker" ? "v2s2" : "oci",
          // Istio refuses zstd and uncompressed layers; a containers.conf may default to either.
          "--compression-format", "gzip",
          `--tls-verify=${request.tlsVerify}`,
          "--digestfile", digestFile,
          ...(echo ? [] : ["--quiet"]),
          request.image,
          `docker://${request.image}`,
        ], { echo });
        const digest = (await readFile(digestFile, "utf8")).trim();
        if (!isSha256Digest(digest)) throw new Error(`buildah push wrote ${JSON.stringify(digest)} to --digestfile, expected sha256:<64 hex>`);
        return digest;
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  };
}
