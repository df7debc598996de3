// scripts/image.ts without a registry: its settings, which tool it picks and what it says when there is
// none, and its refusals. Stand-in `docker` and `buildah` scripts on PATH play each machine: no tools, a
// docker client without engine, a working engine.

import assert from "node:assert/strict";
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pickBuilder, readSettings, type Settings } from "../../scripts/image.ts";
import { runImageScript } from "./support/image-script.ts";
import { PROJECT_DIR } from "./support/project.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;

const FAKES: Record<string, string> = {
  "docker-without-engine": `echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1`,
  "docker-with-engine": `echo "$@" >> "\${0%/*}/calls"
case "$1" in
  info) echo 28.2.2 ;;
  push) echo "The push refers to repository [127.0.0.1:5000/hash-tagging]"; echo "0.1.0: digest: ${DIGEST} size: 527" ;;
esac`,
  buildah: `echo "buildah version 1.28.2"`,
};

let work: string;
const savedPath = process.env.PATH;

/** A directory to use as the whole PATH, holding the named stand-ins (docker-* are installed as `docker`). */
async function pathWith(...fakes: string[]): Promise<string> {
  const dir = join(work, fakes.join("+") || "nothing");
  await mkdir(dir, { recursive: true });
  for (const fake of fakes) {
    const file = join(dir, fake.startsWith("docker") ? "docker" : fake);
    await writeFile(file, `#!/bin/sh\n${FAKES[fake]}\n`);
    await chmod(file, 0o755);
  }
  return dir;
}

function pick(choice: Settings["builder"], path: string) {
  process.env.PATH = path;
  try {
    return pickBuilder(choice);
  } finally {
    process.env.PATH = savedPath;
  }
}

/** A project directory holding package.json and, if given, build/plugin.wasm. */
async function projectWith(name: string, wasm?: string | Uint8Array): Promise<string> {
  const dir = join(work, name);
  await mkdir(join(dir, "build"), { recursive: true });
  await copyFile(join(PROJECT_DIR, "package.json"), join(dir, "package.json"));
  if (wasm !== undefined) await writeFile(join(dir, "build", "plugin.wasm"), wasm);
  return dir;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), "image-script-"));
});
after(async () => {
  process.env.PATH = savedPath;
  await rm(work, { recursive: true, force: true });
});

test("defaults: a local-only image tagged with the package version, docker manifest, auto builder, TLS on, date 0, vfs", () => {
  assert.deepEqual(readSettings({}, [], "1.2.3"), {
    target: "plugin",
    image: "localhost/hash-tagging:1.2.3",
    format: "docker",
    builder: "auto",
    tlsVerify: true,
    sourceDateEpoch: "0",
    storageDriver: "vfs",
    push: false,
  });
});

test("TLS verification: env TLS_VERIFY, overridden by --tls-verify=; `push` pushes", () => {
  assert.equal(readSettings({ TLS_VERIFY: "false" }, [], "1").tlsVerify, false);
  assert.equal(readSettings({ TLS_VERIFY: "false" }, ["--tls-verify=true"], "1").tlsVerify, true);
  const push = readSettings({ IMAGE: "127.0.0.1:5000/hash-tagging:1" }, ["push", "--tls-verify=false"], "1");
  assert.deepEqual([push.push, push.tlsVerify, push.image], [true, false, "127.0.0.1:5000/hash-tagging:1"]);
});

const BAD_SETTINGS: [NodeJS.ProcessEnv, string[], RegExp][] = [
  [{ TLS_VERIFY: "maybe" }, [], /^TLS_VERIFY="maybe": expected one of true, false$/],
  [{}, ["--tls-verify=nope"], /^--tls-verify="nope": expected one of true, false$/],
  [{ IMAGE_FORMAT: "v2s1" }, [], /^IMAGE_FORMAT="v2s1": expected one of docker, oci$/],
  [{ IMAGE_BUILDER: "podman" }, [], /^IMAGE_BUILDER="podman": expected one of auto, docker, buildah$/],
  [{ SOURCE_DATE_EPOCH: "yesterday" }, [], /^SOURCE_DATE_EPOCH="yesterday": expected whole seconds/],
  [{}, ["latest"], /^unknown argument latest: the only option is --tls-verify=true\|false \(and the words push, webhook\)$/],
  [{}, ["push"], /^IMAGE=localhost\/hash-tagging:1 names no registry to push to: set IMAGE=REGISTRY\[:PORT\]\/REPOSITORY:TAG/],
];

for (const [env, argv, error] of BAD_SETTINGS) {
  test(`settings ${[JSON.stringify(env), ...argv].join(" ")} are refused in one line naming the setting`, () => {
    assert.throws(() => readSettings(env, argv, "1"), { message: error });
  });
}

test("neither tool: one line names both, why each failed, and how to install either", () => {
  assert.throws(
    () => pick("auto", join(work, "nothing")),
    (error: Error) => {
      assert.match(
        error.message,
        /^cannot build the image: no Docker engine answers \(docker is not installed\) and buildah is not installed: install Docker Engine .*, or `apt-get install buildah`/,
      );
      assert.doesNotMatch(error.message, /\n/);
      return true;
    },
  );
});

test("a docker client without an engine is passed over for buildah", async () => {
  assert.equal(pick("auto", await pathWith("docker-without-engine", "buildah")), "buildah");
});

test("a docker engine that answers is preferred to buildah", async () => {
  assert.equal(pick("auto", await pathWith("docker-with-engine", "buildah")), "docker");
});

test("IMAGE_BUILDER=docker without an engine quotes docker's own complaint", async () => {
  const path = await pathWith("docker-without-engine", "buildah");
  assert.throws(
    () => pick("docker", path),
    /IMAGE_BUILDER=docker, but no Docker engine answers \(`docker info` failed: Cannot connect to the Docker daemon/,
  );
});

test("IMAGE_BUILDER=buildah without buildah says how to install it", async () => {
  const path = await pathWith("docker-with-engine");
  assert.throws(() => pick("buildah", path), /IMAGE_BUILDER=buildah, but buildah is not installed: `apt-get install buildah`/);
});

test("a missing release module says to run npm run asbuild, before any builder is looked for", async () => {
  // IMAGE_BUILDER=docker would fail on a machine without an engine: the wasm check must come first.
  const run = await runImageScript(
    [],
    { ...process.env, IMAGE_BUILDER: "docker", PATH: `${join(work, "nothing")}:${process.env.PATH}` },
    await projectWith("no-wasm"),
  );
  assert.equal(run.code, 1);
  assert.equal(run.stderr, "error: build/plugin.wasm does not exist: run `npm run asbuild` first (it writes the release module there)\n");
});

test("a file that is not Wasm is refused, quoting its first bytes; an empty one too", async () => {
  const html = await runImageScript([], process.env, await projectWith("html", "<html>"));
  assert.match(
    html.stderr,
    /^error: build\/plugin\.wasm is not a Wasm module: it starts with 0x3c68746d, expected 0x0061736d; rebuild it with `npm run asbuild`\n$/,
  );
  const empty = await runImageScript([], process.env, await projectWith("empty", ""));
  assert.match(empty.stderr, /starts with 0x\(empty file\)/);
  assert.deepEqual([html.code, empty.code], [1, 1]);
});

test("docker path: build passes SOURCE_DATE_EPOCH, push reports the digest docker printed", async () => {
  const dir = await pathWith("docker-with-engine");
  const image = "127.0.0.1:5000/hash-tagging:0.1.0";
  const run = await runImageScript(["push"], { ...process.env, PATH: `${dir}:${process.env.PATH}`, IMAGE: image, SOURCE_DATE_EPOCH: "7" });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`^manifest digest: ${DIGEST}$`, "m"));
  const calls = (await readFile(join(dir, "calls"), "utf8")).trim().split("\n");
  assert.deepEqual(
    calls.filter((call) => !call.startsWith("info")),
    [`build --build-arg SOURCE_DATE_EPOCH=7 -t ${image} .`, `push ${image}`],
  );
});
