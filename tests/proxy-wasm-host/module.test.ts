// The compiled module's interface with the host: what Envoy sees before it calls anything.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { DEBUG_WASM, PLUGIN_WASM } from "../../scripts/lib/paths.ts";

const module = new WebAssembly.Module(readFileSync(PLUGIN_WASM));

it("declares Proxy-Wasm ABI 0.2.1 and exports only the hooks the filter uses, besides the CLI's own", () => {
  // Every exported per-request hook is one more VM entry per request in Envoy: context creation and
  // deletion (a request's root, a root's end) and the header hook are the only ones. The cli_ exports
  // are no Proxy-Wasm hooks: Envoy never calls them; only the operator CLI does.
  const exported = WebAssembly.Module.exports(module)
    .map((e) => e.name)
    .filter((name) => !name.startsWith("cli_"))
    .sort();
  assert.deepEqual(exported, [
    "malloc",
    "memory",
    "proxy_abi_version_0_2_1",
    "proxy_on_configure",
    "proxy_on_context_create",
    "proxy_on_delete",
    "proxy_on_request_headers",
  ]);
});

it("imports only functions Envoy provides", () => {
  const imported = WebAssembly.Module.imports(module)
    .map((i) => `${i.module}.${i.name}`)
    .sort();
  const envoyProvides = new Set([
    "env.proxy_log",
    "env.proxy_get_property",
    "env.proxy_get_buffer_bytes",
    "env.proxy_get_header_map_value",
    "env.proxy_replace_header_map_value",
    "env.proxy_remove_header_map_value",
    "env.proxy_define_metric",
    "env.proxy_increment_metric",
    "wasi_unstable.proc_exit",
    // The sidecar pass-through: every header (repeated baggage), shared data, the clock.
    "env.proxy_get_header_map_pairs",
    "env.proxy_get_shared_data",
    "env.proxy_set_shared_data",
    "env.proxy_get_current_time_nanoseconds",
  ]);
  for (const name of imported) assert.ok(envoyProvides.has(name), `unexpected import ${name}`);
});

it("is the optimized release build, smaller than the debug one, starting with the \\0asm magic", () => {
  const release = readFileSync(PLUGIN_WASM);
  const debug = readFileSync(DEBUG_WASM);
  assert.deepEqual([...release.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
  assert.ok(
    release.length < debug.length / 2,
    `release ${release.length} bytes, debug ${debug.length}: the release build looks unoptimized`,
  );
});
