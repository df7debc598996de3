// The "oci" variant of the Wasm image spec, pushed from Node over the distribution API (npm run image:push-artifact).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fetchWasmLikeIstio } from "../../src/oci/istio-wasm-fetch.ts";
import { startLocalRegistry, type LocalRegistry } from "../../src/oci/local-registry.ts";
import { OCI_MANIFEST, WASM_CONTENT_LAYER, WASM_RUNTIME_CONFIG } from "../../src/oci/media-types.ts";
import { RegistryClient } from "../../src/oci/registry-client.ts";
import { buildWasmArtifact, pushWasmArtifact } from "../../src/oci/wasm-artifact.ts";
import { releaseWasm } from "./support/project.ts";
import { DOCKER_REGISTRY, skipUnlessInstalled } from "./support/required-tools.ts";

const skip = skipUnlessInstalled("tests/oci/wasm-artifact.test.ts (docker-registry)", [DOCKER_REGISTRY]);

test("the artifact's digest depends on the wasm alone", async () => {
  const wasm = await releaseWasm();
  assert.equal(buildWasmArtifact(wasm).digest, buildWasmArtifact(Uint8Array.from(wasm)).digest);
  const changed = Uint8Array.from(wasm);
  changed[changed.length - 1] ^= 1;
  assert.notEqual(buildWasmArtifact(changed).digest, buildWasmArtifact(wasm).digest);
});

describe("Wasm OCI artifact pushed to a local registry", () => {
  let work: string;
  let registry: LocalRegistry;
  let client: RegistryClient;
  let wasm: Uint8Array;

  before(async () => {
    if (skip) return;
    wasm = await releaseWasm();
    work = await mkdtemp(join(tmpdir(), "wasm-artifact-"));
    registry = await startLocalRegistry(work);
    client = new RegistryClient(registry.baseUrl);
  });

  after(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test("two pushes give the digest computed offline, and the registry serves it", { skip }, async () => {
    const first = await pushWasmArtifact(client, "hash-tagging", "artifact-a", wasm);
    const second = await pushWasmArtifact(client, "hash-tagging", "artifact-b", wasm);
    assert.equal(first, buildWasmArtifact(wasm).digest);
    assert.equal(second, first);
    assert.equal((await client.getManifest("hash-tagging", "artifact-a")).digest, first);
  });

  test("two layers, one of them the raw module; Istio's rules extract build/plugin.wasm byte for byte", { skip }, async () => {
    const pushed = await pushWasmArtifact(client, "hash-tagging", "artifact", wasm);
    const fetched = await fetchWasmLikeIstio(client, "hash-tagging", "artifact");
    assert.equal(fetched.variant, "oci-artifact");
    assert.equal(fetched.manifestDigest, pushed);
    assert.equal(fetched.manifest.mediaType, OCI_MANIFEST);
    const layers = (fetched.manifest.json.layers as { mediaType: string }[]).map((l) => l.mediaType);
    assert.deepEqual(layers, [WASM_RUNTIME_CONFIG, WASM_CONTENT_LAYER]);
    assert.ok(Buffer.from(fetched.wasm).equals(Buffer.from(wasm)));
  });
});
