// npm run image:push-artifact: push build/plugin.wasm as the two-layer Wasm OCI artifact (no docker/buildah needed).
import { fileURLToPath } from "node:url";
import { pushWasmArtifactImage, wasmPluginSnippet } from "../src/oci/image-commands.ts";
import { readImageSettings } from "../src/oci/image-settings.ts";
import { readPackageVersion } from "../src/oci/package-version.ts";
import { runMain } from "../src/oci/cli-main.ts";

const projectDir = fileURLToPath(new URL("..", import.meta.url));

runMain(async () => {
  const settings = readImageSettings(process.env, process.argv.slice(2), await readPackageVersion(`${projectDir}/package.json`));
  const pushed = await pushWasmArtifactImage(projectDir, settings);
  console.log(`pushed ${settings.image.text} (Wasm OCI artifact, plugin.wasm ${pushed.wasmDigest})`);
  console.log(`manifest digest: ${pushed.manifestDigest}`);
  console.log(`\nin the WasmPlugin:\n${wasmPluginSnippet(settings.image.text, pushed.manifestDigest)}`);
});
