// `npm run image` and `npm run image:push` where a Docker engine answers (a private dockerd when none does):
// the image docker builds passes Istio's image rules as the buildah image does, and holds the same plugin.wasm.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type LocalRegistry, startLocalRegistry } from "../../scripts/lib/local-registry.ts";
import { type DockerEngine, skipUnlessDockerEngine, startDockerEngine } from "../support/docker-engine.ts";
import { DOCKER_LAYER_TAR_GZIP, DOCKER_MANIFEST } from "../support/media-types.ts";
import { RegistryClient } from "../support/registry-client.ts";
import { BUILDAH, DOCKER_REGISTRY, skipUnlessInstalled } from "../support/required-tools.ts";
import { buildahEnv, printedDigest, runCaptured, runImageScript } from "./support/image-script.ts";
import { fetchWasmLikeIstio } from "./support/istio-wasm-fetch.ts";
import { singleLayerEntries } from "./support/layer-files.ts";
import { releaseWasm } from "./support/project.ts";

const SUITE = "tests/oci/docker-image.test.ts (docker build + buildah + docker-registry)";
const skip = skipUnlessDockerEngine(SUITE) ?? skipUnlessInstalled(SUITE, [BUILDAH, DOCKER_REGISTRY]);
const REPOSITORY = "hash-tagging";

/** `npm run --silent SCRIPT` in the project, as a user types it. */
const npmRun = (script: string, env: NodeJS.ProcessEnv) => runCaptured("npm", ["run", "--silent", script], env);

describe("the plugin image built by docker, pushed to a local registry, pulled back as Istio would", () => {
  let engine: DockerEngine | undefined;
  let work: string;
  let registry: LocalRegistry | undefined;
  let client: RegistryClient;
  let wasm: Buffer;
  const image = (tag: string) => `${registry!.host}/${REPOSITORY}:${tag}`;
  const dockerEnv = (tag: string): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, IMAGE: image(tag) };
    for (const name of ["IMAGE_BUILDER", "IMAGE_FORMAT", "SOURCE_DATE_EPOCH", "TLS_VERIFY"]) delete env[name];
    return env;
  };

  before(async () => {
    if (skip) return;
    wasm = await releaseWasm();
    engine = await startDockerEngine();
    if (engine.private) process.env.DOCKER_HOST = engine.env.DOCKER_HOST;
    work = await mkdtemp(join(tmpdir(), "docker-image-"));
    registry = await startLocalRegistry(join(work, "registry"));
    client = new RegistryClient(registry.baseUrl);
  });

  after(async () => {
    await registry?.stop();
    await engine?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test("npm run image picks docker when an engine answers, and builds the image", { skip }, async () => {
    const run = await npmRun("image", dockerEnv("built"));
    assert.equal(run.code, 0, run.stderr);
    const wasmDigest = `sha256:${createHash("sha256").update(wasm).digest("hex")}`;
    assert.match(
      run.stdout,
      new RegExp(`^built ${image("built").replace(/[.]/g, "\\.")} with docker \\(plugin\\.wasm ${wasmDigest}\\)$`, "m"),
    );
    assert.equal(
      spawnSync("docker", ["image", "inspect", image("built")], { stdio: "ignore" }).status,
      0,
      "the image is in docker's store",
    );
  });

  test("npm run image:push: the registry serves the printed digest; Istio's rules find build/plugin.wasm in it", { skip }, async () => {
    const pushed = printedDigest(await npmRun("image:push", dockerEnv("docker")));
    const fetched = await fetchWasmLikeIstio(client, REPOSITORY, "docker");
    assert.equal(fetched.manifestDigest, pushed);
    assert.equal(fetched.variant, "docker-compat");
    assert.equal(fetched.manifest.mediaType, DOCKER_MANIFEST);
    assert.deepEqual(
      (fetched.manifest.json.layers as { mediaType: string }[]).map((layer) => layer.mediaType),
      [DOCKER_LAYER_TAR_GZIP],
    );
    assert.ok(Buffer.from(fetched.wasm).equals(wasm), "the module Istio would load is build/plugin.wasm");
  });

  test("docker- and buildah-built images hold byte-identical plugin.wasm layers; whether their digests agree is printed", {
    skip,
  }, async (t) => {
    // Without the first image in its store, docker cannot answer the rebuild from its cache.
    const id = spawnSync("docker", ["image", "inspect", "--format", "{{.Id}}", image("docker")], { encoding: "utf8" }).stdout.trim();
    assert.equal(spawnSync("docker", ["image", "rm", "--force", id], { stdio: "ignore" }).status, 0, `docker image rm ${id}`);
    const docker = printedDigest(await npmRun("image:push", dockerEnv("docker-again")));
    const buildah = printedDigest(await runImageScript(["push"], await buildahEnv(join(work, "buildah"), { IMAGE: image("buildah") })));
    const [fromDocker, fromBuildah] = [
      await singleLayerEntries(client, REPOSITORY, "docker-again"),
      await singleLayerEntries(client, REPOSITORY, "buildah"),
    ];
    assert.deepEqual(
      fromDocker.map((entry) => [entry.name, entry.type]),
      [["plugin.wasm", "file"]],
    );
    assert.deepEqual(
      fromBuildah.map((entry) => [entry.name, entry.type]),
      [["plugin.wasm", "file"]],
    );
    assert.ok(
      fromDocker[0].data.equals(fromBuildah[0].data) && fromDocker[0].data.equals(wasm),
      "plugin.wasm differs between the docker and buildah layers",
    );

    const layerOf = async (tag: string) => ((await client.getManifest(REPOSITORY, tag)).json.layers as { digest: string }[])[0].digest;
    const first = (await client.getManifest(REPOSITORY, "docker")).digest;
    const agree = (a: string, b: string) => (a === b ? "agree" : "differ");
    t.diagnostic(`manifest digests: docker ${docker}, buildah ${buildah}: ${agree(docker, buildah)}`);
    t.diagnostic(
      `layer blobs: docker ${await layerOf("docker-again")}, buildah ${await layerOf("buildah")}: ${agree(await layerOf("docker-again"), await layerOf("buildah"))}`,
    );
    t.diagnostic(`two docker builds of the same wasm, no cache between: ${first}, ${docker}: ${agree(first, docker)}`);
  });
});
