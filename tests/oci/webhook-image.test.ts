// The webhook's image, built and pushed by `npm run image:webhook:push` with buildah to a real
// registry, pulled back over the distribution API, and run as the image says: its layer's files as the
// root filesystem, its user, working directory, entrypoint and command, no shell. It then answers a
// review over TLS with the filter it carries.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { freePort, waitFor } from "../../scripts/istio/processes.ts";
import { post } from "../../scripts/lib/https-post.ts";
import { type LocalRegistry, startLocalRegistry } from "../../scripts/lib/local-registry.ts";
import { makeServingCertificate } from "../../scripts/lib/serving-certificate.ts";
import { admissionReview, OUR_IMAGE, wasmPlugin } from "../support/admission-reviews.ts";
import { OCI_LAYER_TAR_GZIP } from "../support/media-types.ts";
import { RegistryClient } from "../support/registry-client.ts";
import { BUILDAH, DOCKER_REGISTRY, skipLoudly, skipUnlessInstalled } from "../support/required-tools.ts";
import { buildahEnv, printedDigest, runImageScript } from "./support/image-script.ts";
import { releaseWasm } from "./support/project.ts";
import { type TarEntry, tarEntries } from "./support/tar-entries.ts";

const SUITE = "tests/oci/webhook-image.test.ts (buildah build + docker-registry, chroot as root)";
const skip =
  skipUnlessInstalled(SUITE, [BUILDAH, DOCKER_REGISTRY]) ??
  (process.getuid?.() === 0 ? undefined : skipLoudly(SUITE, "running the image's root filesystem needs chroot, so root", "run it as root"));
const REPOSITORY = "hash-tagging-webhook";

interface ImageConfig {
  config: { User?: string; WorkingDir?: string; Entrypoint?: string[]; Cmd?: string[] };
}

describe("webhook image: buildah build, push, pull back, run as the image says", () => {
  let work: string;
  let registry: LocalRegistry;
  let client: RegistryClient;
  let digest: string;
  let entries: TarEntry[];
  let config: ImageConfig;

  before(async () => {
    if (skip) return;
    work = await mkdtemp(join(tmpdir(), "webhook-image-"));
    registry = await startLocalRegistry(join(work, "registry"));
    client = new RegistryClient(registry.baseUrl);
    const env = await buildahEnv(join(work, "store"), { IMAGE: `${registry.host}/${REPOSITORY}:test`, IMAGE_FORMAT: "oci" });
    const run = await runImageScript(["webhook", "push"], env);
    digest = printedDigest(run);
    // The push prints the images: entry of deploy/istio/webhook/kustomization.yaml to paste.
    const entry = `  - name: ${REPOSITORY}\n    newName: ${registry.host}/${REPOSITORY}\n    newTag: test\n    digest: ${digest}\n`;
    assert.ok(run.stdout.includes(entry), run.stdout);
    const manifest = await client.getManifest(REPOSITORY, "test");
    assert.equal(manifest.digest, digest, "the digest the push printed is the one the registry serves");
    const json = manifest.json as { config: { digest: string }; layers: { mediaType: string; digest: string }[] };
    assert.deepEqual(
      json.layers.map((l) => l.mediaType),
      [OCI_LAYER_TAR_GZIP],
      "one gzip tar layer: COPY rootfs/ on scratch",
    );
    entries = await tarEntries(gunzipSync(await client.getBlob(REPOSITORY, json.layers[0].digest)));
    config = JSON.parse(Buffer.from(await client.getBlob(REPOSITORY, json.config.digest)).toString("utf8"));
  });

  after(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const file = (name: string) => entries.find((e) => e.name.replace(/^\.?\//, "") === name && e.type === "file");

  test("the image holds Node, its libraries, the bundled CLI and build/plugin.wasm, and no shell", { skip }, async () => {
    for (const name of ["usr/local/bin/node", "app/hash-tagging.mjs", "etc/passwd"])
      assert.ok(file(name), `${name} missing from the layer`);
    assert.ok(
      entries.some((e) => /^(\.\/)?lib.*\/libc\.so\.6$/.test(e.name)),
      "no libc: node cannot start",
    );
    assert.ok(
      Buffer.from(file("app/build/plugin.wasm")!.data).equals(await releaseWasm()),
      "app/build/plugin.wasm differs from build/plugin.wasm",
    );
    assert.deepEqual(
      entries.filter((e) => /(^|\/)(sh|bash|busybox)$/.test(e.name)).map((e) => e.name),
      [],
      "a shell in the image",
    );
  });

  test("config: a non-root user, WORKDIR /app, node running the CLI's webhook command on 8443", { skip }, () => {
    assert.equal(config.config.User, "65532:65532");
    assert.equal(config.config.WorkingDir, "/app");
    assert.deepEqual(config.config.Entrypoint, ["/usr/local/bin/node", "/app/hash-tagging.mjs"]);
    assert.deepEqual(config.config.Cmd, [
      "webhook",
      "--cert",
      "/etc/webhook/tls/tls.crt",
      "--key",
      "/etc/webhook/tls/tls.key",
      "--port",
      "8443",
    ]);
  });

  test("run from its layer alone (chroot, its user and directory, files it cannot write): it judges a review", { skip }, async () => {
    const root = join(work, "rootfs");
    for (const e of entries) {
      const path = join(root, e.name);
      if (e.type === "directory") await mkdir(path, { recursive: true });
      else if (e.type === "file") {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, e.data);
        await chmod(path, 0o755);
      }
    }
    const certificate = makeServingCertificate(join(work, "certs"), ["127.0.0.1"]);
    await mkdir(join(root, "etc/webhook/tls"), { recursive: true });
    await copyFile(certificate.certFile, join(root, "etc/webhook/tls/tls.crt"));
    await copyFile(certificate.keyFile, join(root, "etc/webhook/tls/tls.key"));
    await chmod(join(root, "etc/webhook/tls/tls.key"), 0o644);
    const port = await freePort();
    const [uid, gid] = config.config.User!.split(":").map(Number);
    // What a container runtime does with the config: chroot, chdir WORKDIR, drop to USER, exec ENTRYPOINT + CMD.
    const argv = [...config.config.Entrypoint!, ...config.config.Cmd!.map((a) => (a === "8443" ? String(port) : a)), "--host", "127.0.0.1"];
    const child = spawn(
      "python3",
      [
        "-c",
        "import os,sys; os.chroot(sys.argv[1]); os.chdir(sys.argv[2]); os.setgroups([]); os.setgid(int(sys.argv[4])); os.setuid(int(sys.argv[3])); os.execv(sys.argv[5], sys.argv[5:])",
        root,
        config.config.WorkingDir!,
        String(uid),
        String(gid),
        ...argv,
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: {} },
    );
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      const url = `https://127.0.0.1:${port}`;
      await waitFor(
        "the image's webhook to answer /readyz",
        async () => {
          if (child.exitCode !== null) throw new Error(`it exited: ${output}`);
          return (await post(`${url}/readyz`, "", { ca: certificate.ca, method: "GET" })).status === 200 ? true : undefined;
        },
        30_000,
      );
      const review = admissionReview(
        "CREATE",
        wasmPlugin(OUR_IMAGE, {
          rules: [{ header: "x-user-id", modulo: 100, tagHeader: "x-t", policies: [{ range: 101, tagValue: "a" }] }],
        }),
      );
      const reply = await post(`${url}/validate`, JSON.stringify(review), { ca: certificate.ca });
      const response = JSON.parse(reply.body).response;
      assert.equal(response.uid, review.request.uid);
      assert.equal(response.allowed, false);
      assert.match(response.status.message, /^rules\[0\]\.policies\[0\]\.range: expected an integer from 0 to 100, got the number 101$/m);
      assert.match(output, /hash-tagging webhook on https:\/\/127\.0\.0\.1:\d+\/validate, judging with \/app\/build\/plugin\.wasm/);
    } finally {
      child.kill("SIGTERM");
    }
    assert.equal(await exited, 0, output);
  });
});
