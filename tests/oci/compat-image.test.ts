// The image from ./Dockerfile, built and pushed by `npm run image:push` with buildah to a real registry
// and pulled back over the distribution API, then judged by Istio's image-fetcher rules.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type LocalRegistry, startLocalRegistry } from "../../scripts/lib/local-registry.ts";
import {
  DOCKER_CONFIG,
  DOCKER_LAYER_TAR_GZIP,
  DOCKER_MANIFEST,
  OCI_CONFIG,
  OCI_LAYER_TAR_GZIP,
  OCI_MANIFEST,
} from "../support/media-types.ts";
import { RegistryClient } from "../support/registry-client.ts";
import { BUILDAH, DOCKER_REGISTRY, skipUnlessInstalled } from "../support/required-tools.ts";
import { copyBuildContext } from "./support/build-context.ts";
import { buildahEnv, printedDigest, runImageScript } from "./support/image-script.ts";
import { fetchWasmLikeIstio } from "./support/istio-wasm-fetch.ts";
import { singleLayerEntries } from "./support/layer-files.ts";
import { PROJECT_DIR, releaseWasm } from "./support/project.ts";

const skip = skipUnlessInstalled("tests/oci/compat-image.test.ts (buildah build + docker-registry)", [BUILDAH, DOCKER_REGISTRY]);
const REPOSITORY = "hash-tagging";
type ManifestFormat = "docker" | "oci";
const EXPECTED: Record<ManifestFormat, { manifest: string; config: string; layer: string; variant: string }> = {
  docker: { manifest: DOCKER_MANIFEST, config: DOCKER_CONFIG, layer: DOCKER_LAYER_TAR_GZIP, variant: "docker-compat" },
  oci: { manifest: OCI_MANIFEST, config: OCI_CONFIG, layer: OCI_LAYER_TAR_GZIP, variant: "oci-compat" },
};

describe("compat image: buildah build, push to a local registry, pull back as Istio would", () => {
  let work: string;
  let registry: LocalRegistry;
  let client: RegistryClient;
  let wasm: Uint8Array;
  // Each tag is built and pushed once, by whichever test needs it first.
  const pushes = new Map<string, Promise<string>>();

  before(async () => {
    if (skip) return;
    wasm = await releaseWasm();
    work = await mkdtemp(join(tmpdir(), "compat-image-"));
    registry = await startLocalRegistry(join(work, "registry"));
    client = new RegistryClient(registry.baseUrl);
  });

  after(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** `npm run image:push` with buildah, in a store of its own (nothing cached between builds), as `tag`. */
  function buildAndPush(tag: string, contextDir: () => Promise<string>, format: ManifestFormat): Promise<string> {
    if (!pushes.has(tag)) {
      pushes.set(
        tag,
        (async () => {
          const env = await buildahEnv(join(work, tag), { IMAGE: `${registry.host}/${REPOSITORY}:${tag}`, IMAGE_FORMAT: format });
          return printedDigest(await runImageScript(["push"], env, await contextDir()));
        })(),
      );
    }
    return pushes.get(tag)!;
  }
  const fromProject = async () => PROJECT_DIR;

  for (const format of ["docker", "oci"] as const) {
    const expected = EXPECTED[format];

    test(`${format}: two builds of the same wasm push the same manifest digest`, { skip }, async (t) => {
      const first = await buildAndPush(`${format}-a`, fromProject, format);
      // Another directory, another file mtime, another store: only the wasm is the same.
      const elsewhere = () => copyBuildContext(join(work, `${format}-context`), new Date("2001-02-03T04:05:06Z"));
      const second = await buildAndPush(`${format}-b`, elsewhere, format);
      t.diagnostic(`${format} manifest digests: ${first} ${second}`);
      assert.equal(second, first, "a rebuild of the same plugin.wasm must not change the digest WasmPlugin.sha256 pins");
    });

    test(`${format}: manifest and layer media types are the ones Istio's fetcher accepts`, { skip }, async () => {
      const pushed = await buildAndPush(`${format}-a`, fromProject, format);
      const manifest = await client.getManifest(REPOSITORY, `${format}-a`);
      assert.equal(manifest.digest, pushed, "the digest push reported is the digest the registry serves");
      assert.equal(manifest.mediaType, expected.manifest);
      const json = manifest.json as { config: { mediaType: string }; layers: { mediaType: string }[] };
      assert.equal(json.config.mediaType, expected.config);
      assert.deepEqual(
        json.layers.map((layer) => layer.mediaType),
        [expected.layer],
        "one gzip tar layer, never zstd or plain tar",
      );
    });

    test(`${format}: the layer holds only /plugin.wasm, byte-identical to build/plugin.wasm, dated SOURCE_DATE_EPOCH`, {
      skip,
    }, async () => {
      await buildAndPush(`${format}-a`, fromProject, format);
      const entries = await singleLayerEntries(client, REPOSITORY, `${format}-a`);
      assert.deepEqual(
        entries.map((entry) => [entry.name, entry.type, entry.mtime]),
        [["plugin.wasm", "file", 0]],
      );
      assert.ok(Buffer.from(entries[0].data).equals(Buffer.from(wasm)), "plugin.wasm in the layer differs from build/plugin.wasm");
    });

    test(`${format}: Istio's extraction rules find the module and its wasm magic number`, { skip }, async () => {
      const pushed = await buildAndPush(`${format}-a`, fromProject, format);
      const fetched = await fetchWasmLikeIstio(client, REPOSITORY, `${format}-a`);
      assert.equal(fetched.variant, expected.variant);
      assert.equal(fetched.manifestDigest, pushed);
      assert.equal(fetched.entryName, "plugin.wasm");
      assert.deepEqual([...fetched.wasm.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
      assert.ok(Buffer.from(fetched.wasm).equals(Buffer.from(wasm)));
    });
  }

  test("npm run image:push prints the digest the registry serves and the two WasmPlugin lines", { skip }, async () => {
    const image = `${registry.host}/${REPOSITORY}:cli`;
    const run = await runImageScript(["push"], await buildahEnv(join(work, "cli"), { IMAGE: image }));
    const printed = printedDigest(run);
    assert.equal((await client.getManifest(REPOSITORY, "cli")).digest, printed);
    assert.match(run.stdout, new RegExp(`^  url: oci://${image.replace(/[.]/g, "\\.")}$`, "m"));
    assert.match(
      run.stdout,
      new RegExp(`^  sha256: ${printed.slice("sha256:".length)}$`, "m"),
      "WasmPlugin.sha256 takes the hex without the sha256: prefix",
    );
    assert.equal(printed, await buildAndPush("docker-a", fromProject, "docker"), "IMAGE_FORMAT defaults to docker");
  });

  test("an image name the tools refuse is reported in one error line, after the tool's own words", { skip }, async () => {
    const run = await runImageScript([], await buildahEnv(join(work, "bad-name"), { IMAGE: `${registry.host}/Hash-Tagging:1` }));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /repository name must be lowercase/);
    assert.match(run.stderr, /^error: `buildah --storage-driver vfs build .*` failed \(exit \d+\); its output is above\n$/m);
  });
});
