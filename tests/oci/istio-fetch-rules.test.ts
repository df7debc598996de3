// fetchWasmLikeIstio is the yardstick the image tests measure with; these hand-made images show that it
// refuses what Istio's fetcher refuses (else a passing image test would prove nothing).

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { type LocalRegistry, startLocalRegistry } from "../../scripts/lib/local-registry.ts";
import { type CraftedLayer, pushCraftedImage, tarGzOf, tarOf } from "../support/crafted-images.ts";
import {
  DOCKER_CONFIG,
  DOCKER_LAYER_TAR_GZIP,
  DOCKER_MANIFEST,
  OCI_CONFIG,
  OCI_LAYER_TAR_GZIP,
  OCI_MANIFEST,
  WASM_CONTENT_LAYER,
  WASM_RUNTIME_CONFIG,
} from "../support/media-types.ts";
import { RegistryClient } from "../support/registry-client.ts";
import { DOCKER_REGISTRY, skipUnlessInstalled } from "../support/required-tools.ts";
import { fetchWasmLikeIstio } from "./support/istio-wasm-fetch.ts";

const skip = skipUnlessInstalled("tests/oci/istio-fetch-rules.test.ts (docker-registry)", [DOCKER_REGISTRY]);

const MODULE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
const OTHER_MODULE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00);
const NOT_WASM = new TextEncoder().encode("#!/bin/sh\n");
const layer = (mediaType: string, bytes: Uint8Array): CraftedLayer => ({ mediaType, bytes });
const wasmTarGz = (name = "plugin.wasm", bytes = MODULE) => tarGzOf([{ name, bytes }]);

interface Case {
  name: string;
  manifest: string;
  config: string;
  layers: () => CraftedLayer[];
  /** The module Istio would load, or the words of its refusal. */
  want: { wasm: Uint8Array; variant: string } | { error: RegExp };
}

const CASES: Case[] = [
  {
    name: "docker manifest whose last layer is docker tar+gzip: accepted",
    manifest: DOCKER_MANIFEST,
    config: DOCKER_CONFIG,
    layers: () => [layer(DOCKER_LAYER_TAR_GZIP, wasmTarGz("plugin.wasm", OTHER_MODULE)), layer(DOCKER_LAYER_TAR_GZIP, wasmTarGz())],
    want: { wasm: MODULE, variant: "docker-compat" },
  },
  {
    name: "plugin.wasm in a subdirectory, after other files: found by base name",
    manifest: OCI_MANIFEST,
    config: OCI_CONFIG,
    layers: () => [
      layer(
        OCI_LAYER_TAR_GZIP,
        tarGzOf([
          { name: "README", bytes: NOT_WASM },
          { name: "a/b/plugin.wasm", bytes: MODULE },
        ]),
      ),
    ],
    want: { wasm: MODULE, variant: "oci-compat" },
  },
  {
    name: "plugin.wasm under a 211-character path (a PAX long-name header): found",
    manifest: OCI_MANIFEST,
    config: OCI_CONFIG,
    layers: () => [
      layer(OCI_LAYER_TAR_GZIP, gzipSync(tarOf([{ name: `${"very-long-directory-name/".repeat(8)}plugin.wasm`, bytes: MODULE }], "pax"))),
    ],
    want: { wasm: MODULE, variant: "oci-compat" },
  },
  {
    name: "two-layer artifact with the wasm content layer: accepted",
    manifest: OCI_MANIFEST,
    config: WASM_RUNTIME_CONFIG,
    layers: () => [layer(WASM_RUNTIME_CONFIG, new TextEncoder().encode("{}")), layer(WASM_CONTENT_LAYER, MODULE)],
    want: { wasm: MODULE, variant: "oci-artifact" },
  },
  {
    name: "uncompressed tar layer: refused",
    manifest: OCI_MANIFEST,
    config: OCI_CONFIG,
    layers: () => [layer("application/vnd.oci.image.layer.v1.tar", tarOf([{ name: "plugin.wasm", bytes: MODULE }]))],
    want: { error: /invalid media type application\/vnd\.oci\.image\.layer\.v1\.tar \(expect/ },
  },
  {
    name: "zstd layer: refused",
    manifest: OCI_MANIFEST,
    config: OCI_CONFIG,
    layers: () => [layer("application/vnd.oci.image.layer.v1.tar+zstd", wasmTarGz())],
    want: { error: /invalid media type application\/vnd\.oci\.image\.layer\.v1\.tar\+zstd/ },
  },
  {
    name: "docker manifest with an OCI layer type: refused (no fallback for docker manifests)",
    manifest: DOCKER_MANIFEST,
    config: DOCKER_CONFIG,
    layers: () => [layer(OCI_LAYER_TAR_GZIP, wasmTarGz())],
    want: { error: /as Docker container: invalid media type/ },
  },
  {
    name: "archive without plugin.wasm: refused",
    manifest: DOCKER_MANIFEST,
    config: DOCKER_CONFIG,
    layers: () => [layer(DOCKER_LAYER_TAR_GZIP, wasmTarGz("filter.wasm"))],
    want: { error: /plugin\.wasm not found in the archive/ },
  },
  {
    name: "plugin.wasm that is not Wasm: refused",
    manifest: OCI_MANIFEST,
    config: OCI_CONFIG,
    layers: () => [layer(OCI_LAYER_TAR_GZIP, wasmTarGz("plugin.wasm", NOT_WASM))],
    want: { error: /does not start with \\0asm/ },
  },
  {
    name: "artifact with the wasm layer alone: refused (exactly two layers)",
    manifest: OCI_MANIFEST,
    config: WASM_RUNTIME_CONFIG,
    layers: () => [layer(WASM_CONTENT_LAYER, MODULE)],
    want: { error: /number of layers must be 2 but got 1/ },
  },
];

describe("Istio's image-fetcher rules, on hand-made images in a local registry", () => {
  let work: string;
  let registry: LocalRegistry;
  let client: RegistryClient;

  before(async () => {
    if (skip) return;
    work = await mkdtemp(join(tmpdir(), "fetch-rules-"));
    registry = await startLocalRegistry(work);
    client = new RegistryClient(registry.baseUrl);
  });

  after(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  CASES.forEach((c, i) => {
    test(c.name, { skip }, async () => {
      const tag = `case-${i}`;
      await pushCraftedImage(client, "crafted", tag, c.manifest, c.config, c.layers());
      if ("error" in c.want) {
        await assert.rejects(fetchWasmLikeIstio(client, "crafted", tag), c.want.error);
      } else {
        const fetched = await fetchWasmLikeIstio(client, "crafted", tag);
        assert.equal(fetched.variant, c.want.variant);
        assert.deepEqual([...fetched.wasm], [...c.want.wasm]);
      }
    });
  });
});
