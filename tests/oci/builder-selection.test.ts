// Which tool `npm run image` uses, and what it says when there is none. Stand-in `docker` and `buildah`
// scripts on PATH play each machine: no tools, a docker client without engine, a working engine.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectImageBuilder, type BuilderChoice } from "../../src/oci/select-builder.ts";
import { createDockerBuilder } from "../../src/oci/docker.ts";

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

async function select(choice: BuilderChoice, path: string) {
  process.env.PATH = path;
  try {
    return await selectImageBuilder({ choice, buildahStorage: { driver: "vfs" } });
  } finally {
    process.env.PATH = savedPath;
  }
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), "builder-selection-"));
});
after(async () => {
  process.env.PATH = savedPath;
  await rm(work, { recursive: true, force: true });
});

test("neither tool: the error names both, why each failed, and how to install either", async () => {
  await assert.rejects(select("auto", await pathWith()), (error: Error) => {
    assert.match(error.message, /no Docker engine answers \(docker is not installed\) and buildah is not installed/);
    assert.match(error.message, /apt-get install buildah/);
    assert.match(error.message, /install Docker Engine/);
    return true;
  });
});

test("a docker client without an engine is passed over for buildah", async () => {
  assert.equal((await select("auto", await pathWith("docker-without-engine", "buildah"))).name, "buildah");
});

test("a docker engine that answers is preferred to buildah", async () => {
  assert.equal((await select("auto", await pathWith("docker-with-engine", "buildah"))).name, "docker");
});

test("IMAGE_BUILDER=docker without an engine quotes docker's own complaint", async () => {
  await assert.rejects(select("docker", await pathWith("docker-without-engine", "buildah")), /IMAGE_BUILDER=docker, but no Docker engine answers \(`docker info` failed: Cannot connect to the Docker daemon/);
});

test("IMAGE_BUILDER=buildah without buildah says how to install it", async () => {
  await assert.rejects(select("buildah", await pathWith("docker-with-engine")), /IMAGE_BUILDER=buildah, but buildah is not installed: install buildah: `apt-get install buildah`/);
});

test("docker path: build passes SOURCE_DATE_EPOCH, push reports the digest docker printed", async () => {
  const dir = await pathWith("docker-with-engine");
  process.env.PATH = dir;
  try {
    const docker = createDockerBuilder();
    await docker.build({ contextDir: work, dockerfile: "Dockerfile", image: "127.0.0.1:5000/hash-tagging:0.1.0", sourceDateEpoch: 0 });
    assert.equal(await docker.push({ image: "127.0.0.1:5000/hash-tagging:0.1.0", format: "docker", tlsVerify: false }), DIGEST);
  } finally {
    process.env.PATH = savedPath;
  }
  const calls = (await readFile(join(dir, "calls"), "utf8")).trim().split("\n");
  assert.deepEqual(calls.filter((call) => !call.startsWith("info")), [
    `build --build-arg SOURCE_DATE_EPOCH=0 -f Dockerfile -t 127.0.0.1:5000/hash-tagging:0.1.0 ${work}`,
    "push 127.0.0.1:5000/hash-tagging:0.1.0",
  ]);
});
