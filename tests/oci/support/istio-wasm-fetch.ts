import { basename } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  DOCKER_LAYER_TAR_GZIP,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  OCI_LAYER_TAR_GZIP,
  WASM_CONTENT_LAYER,
} from "../../support/media-types.ts";
import type { FetchedManifest, RegistryClient } from "../../support/registry-client.ts";
import { tarEntries } from "./tar-entries.ts";

// The rules below restate Istio's pkg/wasm/imagefetcher.go, so a test can tell whether Istio would load
// an image without running Istio: a Docker manifest must end in a Docker tar+gzip layer; anything else
// is tried as an OCI image ending in an OCI tar+gzip layer, then as the two-layer Wasm artifact.

export type WasmImageVariant = "docker-compat" | "oci-compat" | "oci-artifact";

export interface FetchedWasm {
  variant: WasmImageVariant;
  /** The image manifest's digest: what Istio compares `WasmPlugin.sha256` with. */
  manifestDigest: string;
  manifest: FetchedManifest;
  /** Media type of the layer the module came from. */
  layerMediaType: string;
  /** Name of the tar entry that held the module (compat variants only). */
  entryName?: string;
  wasm: Uint8Array;
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  platform?: { os?: string; architecture?: string };
}

const WASM_FILE_NAME = "plugin.wasm";
const WASM_MAGIC = Buffer.from([0x00, 0x61, 0x73, 0x6d]);

function layersOf(manifest: FetchedManifest): Descriptor[] {
  const layers = manifest.json.layers;
  if (!Array.isArray(layers)) throw new Error(`manifest ${manifest.digest} has no "layers" list`);
  return layers as Descriptor[];
}

/** Like go-containerregistry's default: an index resolves to its linux/amd64 image. */
async function resolveIndex(client: RegistryClient, repository: string, index: FetchedManifest): Promise<FetchedManifest> {
  const manifests = (index.json.manifests ?? []) as Descriptor[];
  const chosen = manifests.find((m) => m.platform?.os === "linux" && m.platform?.architecture === "amd64");
  if (!chosen?.digest) throw new Error(`index ${index.digest} has no linux/amd64 image (Istio's fetcher would fail the same way)`);
  return client.getManifest(repository, chosen.digest);
}

/** The first tar entry whose base name is plugin.wasm, as Istio takes it. */
async function wasmFromTarGzip(layer: Uint8Array, where: string): Promise<{ name: string; data: Uint8Array }> {
  let tar: Uint8Array;
  try {
    tar = gunzipSync(layer);
  } catch (error) {
    throw new Error(`${where}: failed to parse layer as tar.gz: ${(error as Error).message}`);
  }
  const entry = (await tarEntries(tar)).find((e) => basename(e.name) === WASM_FILE_NAME);
  if (!entry) throw new Error(`${where}: ${WASM_FILE_NAME} not found in the archive`);
  return { name: entry.name, data: entry.data };
}

async function compatVariant(
  client: RegistryClient,
  repository: string,
  manifest: FetchedManifest,
  expectedLayerType: string,
  variant: WasmImageVariant,
): Promise<FetchedWasm> {
  const layers = layersOf(manifest);
  if (layers.length === 0) throw new Error("number of layers must be greater than zero");
  const last = layers[layers.length - 1];
  if (last.mediaType !== expectedLayerType) throw new Error(`invalid media type ${last.mediaType} (expect ${expectedLayerType})`);
  const blob = await client.getBlob(repository, String(last.digest));
  const { name, data } = await wasmFromTarGzip(blob, `layer ${last.digest}`);
  return { variant, manifestDigest: manifest.digest, manifest, layerMediaType: expectedLayerType, entryName: name, wasm: data };
}

async function artifactVariant(client: RegistryClient, repository: string, manifest: FetchedManifest): Promise<FetchedWasm> {
  const layers = layersOf(manifest);
  if (layers.length !== 2) throw new Error(`number of layers must be 2 but got ${layers.length}`);
  const layer = layers.find((l) => l.mediaType === WASM_CONTENT_LAYER);
  if (!layer) throw new Error(`could not find the layer of type ${WASM_CONTENT_LAYER}`);
  const wasm = await client.getBlob(repository, String(layer.digest));
  return { variant: "oci-artifact", manifestDigest: manifest.digest, manifest, layerMediaType: WASM_CONTENT_LAYER, wasm };
}

/** Pulls `repository:reference` and extracts the module exactly where Istio would, or says why Istio would refuse. */
export async function fetchWasmLikeIstio(client: RegistryClient, repository: string, reference: string): Promise<FetchedWasm> {
  let manifest = await client.getManifest(repository, reference);
  if (manifest.mediaType === OCI_INDEX || manifest.mediaType === DOCKER_MANIFEST_LIST) {
    manifest = await resolveIndex(client, repository, manifest);
  }
  const where = `${repository}:${reference} (${manifest.digest})`;

  let fetched: FetchedWasm;
  if (manifest.mediaType === DOCKER_MANIFEST) {
    fetched = await compatVariant(client, repository, manifest, DOCKER_LAYER_TAR_GZIP, "docker-compat").catch((error: Error) => {
      throw new Error(`${where}: could not extract Wasm file from the image as Docker container: ${error.message}`);
    });
  } else {
    const errors: string[] = [];
    const attempt = async (variant: () => Promise<FetchedWasm>, label: string) => {
      try {
        return await variant();
      } catch (error) {
        errors.push(`could not parse as ${label} variant: ${(error as Error).message}`);
        return undefined;
      }
    };
    const found =
      (await attempt(() => compatVariant(client, repository, manifest, OCI_LAYER_TAR_GZIP, "oci-compat"), "compat")) ??
      (await attempt(() => artifactVariant(client, repository, manifest), "oci"));
    if (!found) throw new Error(`${where}: the given image is in invalid format as an OCI image: ${errors.join("; ")}`);
    fetched = found;
  }
  if (!Buffer.from(fetched.wasm.subarray(0, 4)).equals(WASM_MAGIC))
    throw new Error(`${where}: the extracted ${fetched.entryName ?? "layer"} does not start with \\0asm`);
  return fetched;
}
