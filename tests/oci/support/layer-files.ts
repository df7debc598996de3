import { gunzipSync } from "node:zlib";
import type { RegistryClient } from "../../support/registry-client.ts";
import { type TarEntry, tarEntries } from "./tar-entries.ts";

/** The files in an image's only layer, for checking what the image really holds. */
export async function singleLayerEntries(client: RegistryClient, repository: string, reference: string): Promise<TarEntry[]> {
  const manifest = await client.getManifest(repository, reference);
  const layers = manifest.json.layers as { digest: string }[];
  if (layers.length !== 1) throw new Error(`${repository}:${reference} has ${layers.length} layers, expected 1`);
  return tarEntries(gunzipSync(await client.getBlob(repository, layers[0].digest)));
}
