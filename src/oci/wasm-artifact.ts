import { sha256Digest } from "./digest.ts";
import { OCI_MANIFEST, WASM_CONTENT_LAYER, WASM_RUNTIME_CONFIG } from "./media-types.ts";
import type { RegistryClient } from "./registry-client.ts";

/** The "oci" variant of the Wasm image spec, built in memory: no tool, no timestamps, so one wasm gives one digest. */
export interface WasmArtifact {
  runtimeConfig: Uint8Array;
  wasm: Uint8Array;
  manifest: Uint8Array;
  digest: string;
}

// Envoy runtime metadata from the Wasm image spec. The empty root id is Istio's default (WasmPlugin.pluginName
// unset), and the filter answers to any root id.
const RUNTIME_CONFIG = { type: "envoy_proxy", abiVersions: ["0.2.1"], config: { root_ids: [""] } };

function descriptor(mediaType: string, bytes: Uint8Array, title?: string) {
  return {
    mediaType,
    digest: sha256Digest(bytes),
    size: bytes.length,
    ...(title ? { annotations: { "org.opencontainers.image.title": title } } : {}),
  };
}

export function buildWasmArtifact(wasm: Uint8Array): WasmArtifact {
  const runtimeConfig = new TextEncoder().encode(JSON.stringify(RUNTIME_CONFIG));
  // Istio requires exactly two layers, one of them the module: the runtime config is the other.
  const manifestJson = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(WASM_RUNTIME_CONFIG, runtimeConfig),
    layers: [
      descriptor(WASM_RUNTIME_CONFIG, runtimeConfig, "runtime-config.json"),
      descriptor(WASM_CONTENT_LAYER, wasm, "plugin.wasm"),
    ],
  };
  const manifest = new TextEncoder().encode(JSON.stringify(manifestJson));
  return { runtimeConfig, wasm, manifest, digest: sha256Digest(manifest) };
}

/** Uploads both blobs and the manifest; returns the manifest digest for `WasmPlugin.sha256`. */
export async function pushWasmArtifact(client: RegistryClient, repository: string, tag: string, wasm: Uint8Array): Promise<string> {
  const artifact = buildWasmArtifact(wasm);
  await client.putBlob(repository, artifact.runtimeConfig);
  await client.putBlob(repository, artifact.wasm);
  return client.putManifest(repository, tag, OCI_MANIFEST, artifact.manifest);
}
