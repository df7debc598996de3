import { join } from "node:path";
import { sha256Digest } from "./digest.ts";
import { isLocalOnly } from "./image-reference.ts";
import type { ImageSettings } from "./image-settings.ts";
import { readReleaseWasm, RELEASE_WASM_PATH } from "./release-wasm.ts";
import { RegistryClient, registryBaseUrl } from "./registry-client.ts";
import { selectImageBuilder } from "./select-builder.ts";
import { pushWasmArtifact } from "./wasm-artifact.ts";
import type { ImageBuilder } from "./image-builder.ts";

export interface BuiltImage {
  builder: ImageBuilder;
  /** sha256 of the module inside, to tell images apart before any push. */
  wasmDigest: string;
}

export interface PushedImage extends BuiltImage {
  manifestDigest: string;
}

function refuseLocalOnly(settings: ImageSettings): void {
  if (isLocalOnly(settings.image)) {
    throw new Error(
      `image ${settings.image.text} names no registry to push to ("localhost/" without a port means local storage only): ` +
        "set IMAGE=REGISTRY[:PORT]/REPOSITORY:TAG, e.g. IMAGE=127.0.0.1:5000/hash-tagging:0.1.0",
    );
  }
}

/** Builds the Dockerfile in `projectDir` into `settings.image`, after checking the release wasm is there. */
export async function buildImage(projectDir: string, settings: ImageSettings, echo = true): Promise<BuiltImage> {
  const wasm = await readReleaseWasm(join(projectDir, RELEASE_WASM_PATH));
  const builder = await selectImageBuilder({ choice: settings.builder, buildahStorage: settings.buildahStorage, echo });
  await builder.build({ contextDir: projectDir, dockerfile: "Dockerfile", image: settings.image.text, sourceDateEpoch: settings.sourceDateEpoch });
  return { builder, wasmDigest: sha256Digest(wasm) };
}

/** Builds, then pushes to the registry named in the image; the manifest digest is what WasmPlugin.sha256 wants. */
export async function buildAndPushImage(projectDir: string, settings: ImageSettings, echo = true): Promise<PushedImage> {
  refuseLocalOnly(settings);
  const built = await buildImage(projectDir, settings, echo);
  const manifestDigest = await built.builder.push({ image: settings.image.text, format: settings.format, tlsVerify: settings.tlsVerify });
  return { ...built, manifestDigest };
}

/** Pushes build/plugin.wasm as the two-layer Wasm OCI artifact over the distribution API; no image tool needed. */
export async function pushWasmArtifactImage(projectDir: string, settings: ImageSettings): Promise<{ manifestDigest: string; wasmDigest: string }> {
  refuseLocalOnly(settings);
  const wasm = await readReleaseWasm(join(projectDir, RELEASE_WASM_PATH));
  // Docker Hub's API lives on another host than its image names say.
  const host = settings.image.registry === "docker.io" ? "registry-1.docker.io" : settings.image.registry;
  const client = new RegistryClient(registryBaseUrl(host, settings.tlsVerify));
  const manifestDigest = await pushWasmArtifact(client, settings.image.repository, settings.image.tag, wasm);
  return { manifestDigest, wasmDigest: sha256Digest(wasm) };
}

/** The lines to paste into the WasmPlugin. Istio wants the manifest digest's hex, without `sha256:`. */
export function wasmPluginSnippet(image: string, manifestDigest: string): string {
  return [`  url: oci://${image}`, `  sha256: ${manifestDigest.replace(/^sha256:/, "")}`].join("\n");
}
