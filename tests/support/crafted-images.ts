import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { type RegistryClient, sha256Digest } from "./registry-client.ts";

export interface CraftedLayer {
  mediaType: string;
  bytes: Uint8Array;
}

/** A tar made by GNU tar, a real producer, in the format asked for. */
export function tarOf(files: { name: string; bytes: Uint8Array }[], format: "ustar" | "pax" | "gnu" = "ustar"): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "tar-fixture-"));
  try {
    for (const file of files) {
      mkdirSync(dirname(join(dir, file.name)), { recursive: true });
      writeFileSync(join(dir, file.name), file.bytes);
    }
    return execFileSync("tar", ["-C", dir, `--format=${format}`, "-cf", "-", ...files.map((f) => f.name)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function tarGzOf(files: { name: string; bytes: Uint8Array }[]): Uint8Array {
  return gzipSync(tarOf(files));
}

/** Pushes a hand-made image (one the normal tools would never produce) to probe the fetcher's rules. */
export async function pushCraftedImage(
  client: RegistryClient,
  repository: string,
  tag: string,
  manifestType: string,
  configType: string,
  layers: CraftedLayer[],
): Promise<string> {
  const config = new TextEncoder().encode("{}");
  await client.putBlob(repository, config);
  for (const layer of layers) await client.putBlob(repository, layer.bytes);
  const manifest = {
    schemaVersion: 2,
    mediaType: manifestType,
    config: { mediaType: configType, digest: sha256Digest(config), size: config.length },
    layers: layers.map((layer) => ({ mediaType: layer.mediaType, digest: sha256Digest(layer.bytes), size: layer.bytes.length })),
  };
  return client.putManifest(repository, tag, manifestType, new TextEncoder().encode(JSON.stringify(manifest)));
}
