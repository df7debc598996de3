import { test } from "node:test";
import assert from "node:assert/strict";
import { readTar } from "../../src/oci/tar-reader.ts";
import { tarOf } from "./support/crafted-images.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const LONG_NAME = `${"very-long-directory-name/".repeat(8)}plugin.wasm`; // 211 characters: past ustar's 100+155 split

for (const format of ["ustar", "pax", "gnu"] as const) {
  test(`reads GNU tar's ${format} archives: names, sizes, contents, file type`, () => {
    const files = [
      { name: "empty", bytes: new Uint8Array(0) },
      { name: "dir/plugin.wasm", bytes: Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0) },
      { name: "block-sized", bytes: new Uint8Array(512).fill(7) },
    ];
    const entries = readTar(tarOf(files, format)).filter((entry) => entry.type === "0");
    assert.deepEqual(entries.map((e) => [e.name, e.size]), files.map((f) => [f.name, f.bytes.length]));
    entries.forEach((entry, i) => assert.deepEqual([...entry.data], [...files[i].bytes]));
  });
}

for (const format of ["pax", "gnu"] as const) {
  test(`a ${LONG_NAME.length}-character name survives ${format}'s long-name header`, () => {
    const entries = readTar(tarOf([{ name: LONG_NAME, bytes: bytes("x") }], format)).filter((entry) => entry.type === "0");
    assert.deepEqual(entries.map((e) => e.name), [LONG_NAME]);
  });
}

test("a corrupt header is reported with its byte offset, not read as garbage", () => {
  const archive = Uint8Array.from(tarOf([{ name: "a", bytes: bytes("hello") }]));
  archive[0] ^= 0xff;
  assert.throws(() => readTar(archive), /tar header at byte 0: checksum mismatch/);
});

test("data that runs past the end of the archive is an error", () => {
  const archive = tarOf([{ name: "a", bytes: new Uint8Array(2000) }]);
  assert.throws(() => readTar(archive.subarray(0, 1024)), /run past the archive's end/);
});

test("an empty archive (only the end marker) has no entries", () => {
  assert.deepEqual(readTar(new Uint8Array(1024)), []);
});
