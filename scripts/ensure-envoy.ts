// npm run envoy:ensure — find or install the pinned Envoy and prove it runs build/plugin.wasm in V8.
import { ensureEnvoy } from "./lib/envoy/ensure.ts";
import { PLUGIN_WASM } from "./lib/paths.ts";

try {
  const envoy = await ensureEnvoy(PLUGIN_WASM, (line) => console.log(line));
  console.log(`envoy ${envoy.version} (${envoy.source}): ${envoy.bin}`);
  console.log(`envoy.wasm.runtime.v8 loads and configures ${PLUGIN_WASM}`);
} catch (e) {
  console.error(`ensure-envoy: ${(e as Error).message}`);
  process.exit(1);
}
