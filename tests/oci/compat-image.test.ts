// The image from ./Dockerfile, built by buildah the way `npm run image` does, pushed to a real registry
// and pulled back over the distribution API, then judged by Istio's image-fetcher rules.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBuildahBuilder } from "../../src/oci/buildah.ts";
import type { ManifestFormat } from "../../src/oci/image-builder.ts";
import { fetchWasmLikeIstio } from "../../src/oci/istio-wasm-fetch.ts";
import { startLocalRegistry, type LocalRegistry } from "../../src/oci/local-registry.ts";
import {
  DOCKER_CONFIG, DOCKER_LAYER_TAR_GZIP, DOCKER_MANIFEST, OCI_CONFIG, OCI_LAYER_TAR_GZIP, OCI_MANIFEST,
} from "../../src/oci/media-types.ts";
import { RegistryClient } from "../../src/oci/registry-client.ts";
import { copyBuildContext } from "./support/build-context.ts";
import { singleLayerEntries } from "./support/layer-files.ts";
import { PROJECT_DIR, releaseWasm } from "./support/project.ts";
import { BUILDAH, DOCKER_REGISTRY, skipUnlessInstalled } from "./support/required-tools.ts";

const skip = skipUnlessInstalled("tests/oci/compat-image.test.ts (buildah build + docker-registry)", [BUILDAH, DOCKER_REGISTRY]);
const REPOSITORY = "hash-tagging";

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

  /** Builds in a store of its own (nothing cached between builds) and pushes as `tag`. */
  function buildAndPush(tag: string, contextDir: () => Promise<string>, format: ManifestFormat): Promise<string> {
    if (!pushes.has(tag)) {
      pushes.set(tag, (async () => {
        const builder = createBuildahBuilder({ storage: { driver: "vfs", root: join(work, tag, "root"), runRoot: join(work, tag, "run") } });
        const image = `${registry.host}/${REPOSITORY}:${tag}`;
        await builder.build({ contextDir: await contextDir(), dockerfile: "Dockerfile", image, sourceDateEpoch: 0 });
        return builder.push({ image, format, tlsVerify: false });
      })());
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
      assert.deepEqual(json.layers.map((layer) => layer.mediaType), [expected.layer], "one gzip tar layer, never zstd or plain tar");
    });

    test(`${format}: the layer holds only /plugin.wasm, byte-identical to build/plugin.wasm, dated SOURCE_DATE_EPOCH`, { skip }, async () => {
      await buildAndPush(`${format}-a`, fromProject, format);
      const entries = await singleLayerEntries(client, REPOSITORY, `${format}-a`);
      assert.deepEqual(entries.map((entry) => [entry.name, entry.type, entry.mtime]), [["plugin.wasm", "0", 0]]);
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

  test("npm run image:push builds, pushes and prints the digest the registry serves", { skip }, async () => {
    const storageConf = join(work, "cli-storage.conf");
    await mkdir(join(work, "cli"), { recursive: true });
    await writeFile(storageConf, `[storage]\ndriver = "vfs"\ngraphroot = "${join(work, "cli", "root")}"\nrunroot = "${join(work, "cli", "run")}"\n`);
    const image = `${registry.host}/${REPOSITORY}:cli`;
    const env: NodeJS.ProcessEnv = { ...process.env, IMAGE: image, TLS_VERIFY: "false", IMAGE_BUILDER: "buildah", CONTAINERS_STORAGE_CONF: storageConf };
    delete env.STORAGE_DRIVER;
    delete env.IMAGE_FORMAT;
    delete env.SOURCE_DATE_EPOCH;
    const { code, stdout, stderr } = await runNode(["--import", "tsx", "scripts/image-push.ts"], env);
    assert.equal(code, 0, `image:push failed:\n${stderr}`);

    const printed = /^manifest digest: (sha256:[0-9a-f]{64})$/m.exec(stdout)?.[1];
    assert.ok(printed, `no "manifest digest:" line in:\n${stdout}`);
    assert.equal((await client.getManifest(REPOSITORY, "cli")).digest, printed);
    assert.match(stdout, new RegExp(`^  url: oci://${image.replace(/[.]/g, "\\.")}$`, "m"));
    assert.match(stdout, new RegExp(`^  sha256: ${printed.slice("sha256:".length)}$`, "m"), "WasmPlugin.sha256 takes the hex without the sha256: prefix");
    assert.equal(printed, await buildAndPush("docker-a", fromProject, "docker"), "the script and the library build the same image");
  });
});

function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: PROJECT_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
