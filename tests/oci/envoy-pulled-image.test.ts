// The last step of the Istio path without Istio: the image pushed to a registry, pulled back and unpacked
// the way Istio's agent does, then loaded by real Envoy with the WasmPlugin's own pluginConfig.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ensureEnvoy } from "../../scripts/lib/envoy/ensure.ts";
import { startTestbed, type Testbed } from "../../scripts/lib/envoy/testbed.ts";
import { type LocalRegistry, startLocalRegistry } from "../../scripts/lib/local-registry.ts";
import { referenceTag } from "../support/fnv1a.ts";
import { RegistryClient } from "../support/registry-client.ts";
import { BUILDAH, DOCKER_REGISTRY, skipUnlessInstalled } from "../support/required-tools.ts";
import { shippedPluginConfig } from "../support/wasmplugin-config.ts";
import { buildahEnv, printedDigest, runImageScript } from "./support/image-script.ts";
import { fetchWasmLikeIstio } from "./support/istio-wasm-fetch.ts";

const skip = skipUnlessInstalled("tests/oci/envoy-pulled-image.test.ts (buildah + docker-registry + Envoy)", [BUILDAH, DOCKER_REGISTRY]);

describe("plugin.wasm pulled from the registry image, in real Envoy", () => {
  let work: string;
  let registry: LocalRegistry | undefined;
  let bed: Testbed | undefined;

  before(async () => {
    if (skip) return;
    work = await mkdtemp(join(tmpdir(), "envoy-pulled-image-"));
    registry = await startLocalRegistry(join(work, "registry"));
    printedDigest(await runImageScript(["push"], await buildahEnv(join(work, "store"), { IMAGE: `${registry.host}/hash-tagging:e2e` })));

    const pulled = await fetchWasmLikeIstio(new RegistryClient(registry.baseUrl), "hash-tagging", "e2e");
    const wasmPath = join(work, "pulled-plugin.wasm");
    await writeFile(wasmPath, pulled.wasm);
    const envoy = await ensureEnvoy(wasmPath);
    bed = await startTestbed({ envoyBin: envoy.bin, wasmPath, tagEcho: true, plugin: { config: shippedPluginConfig() } });
  });

  after(async () => {
    await bed?.stop();
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  // Riding the lane to mockc waits on the filter's passThrough block: the pulled module runs on the sidecars too.
  test("a request is tagged with the lane FNV-1a gives its user, and rides that lane to mockc", { skip }, async () => {
    try {
      // jessie hashes into the canary (bucket < 20), bob into the baseline: one of each lane.
      for (const user of ["jessie", "bob"]) {
        const want = referenceTag(user);
        const echo = await fetch(`${bed!.ingressUrl}/_tag`, { headers: { "x-user-id": user } });
        assert.equal(echo.status, 200);
        assert.equal(echo.headers.get("x-asm-prefer-tag"), want, `user ${user}: tag`);
        const reply = await fetch(`${bed!.ingressUrl}/`, { headers: { "x-user-id": user } });
        const body = (await reply.text()).trimEnd();
        assert.equal(reply.status, 200, body);
        assert.match(body, new RegExp(`-> mockc\\(version: ${want === "s2" ? "v2" : "v1"}, `), `user ${user}: ${body}`);
      }
    } catch (error) {
      (error as Error).message += `\n--- envoy log tail ---\n${bed?.envoy.logTail(40) ?? "(no envoy)"}`;
      throw error;
    }
  });
});
