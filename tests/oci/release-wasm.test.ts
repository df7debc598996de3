import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readReleaseWasm } from "../../src/oci/release-wasm.ts";
import { buildImage } from "../../src/oci/image-commands.ts";
import { readImageSettings } from "../../src/oci/image-settings.ts";

async function inTempDir(body: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), "release-wasm-"));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("a missing release module says to run npm run asbuild, before any builder is looked for", () =>
  inTempDir(async (dir) => {
    // IMAGE_BUILDER=docker would fail on a machine without an engine: the wasm check must come first.
    const settings = readImageSettings({ IMAGE_BUILDER: "docker" }, [], "1");
    await assert.rejects(buildImage(dir, settings, false), /build\/plugin\.wasm does not exist: run `npm run asbuild` first/);
  }));

test("a file that is not Wasm is refused, quoting its first bytes", () =>
  inTempDir(async (dir) => {
    await writeFile(join(dir, "plugin.wasm"), "<html>");
    await assert.rejects(readReleaseWasm(join(dir, "plugin.wasm")), /is not a Wasm module: it starts with 0x3c68746d, expected 0x0061736d/);
  }));

test("an empty file is refused", () =>
  inTempDir(async (dir) => {
    await writeFile(join(dir, "plugin.wasm"), "");
    await assert.rejects(readReleaseWasm(join(dir, "plugin.wasm")), /starts with 0x\(empty file\)/);
  }));

test("a Wasm module is read as is", () =>
  inTempDir(async (dir) => {
    const module = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0);
    await writeFile(join(dir, "plugin.wasm"), module);
    assert.deepEqual([...(await readReleaseWasm(join(dir, "plugin.wasm")))], [...module]);
  }));
