// npm run image: build the plugin image (docker if an engine answers, else buildah). See README "Deploy to Istio".
import { fileURLToPath } from "node:url";
import { buildImage } from "../src/oci/image-commands.ts";
import { readImageSettings } from "../src/oci/image-settings.ts";
import { readPackageVersion } from "../src/oci/package-version.ts";
import { runMain } from "../src/oci/cli-main.ts";

const projectDir = fileURLToPath(new URL("..", import.meta.url));

runMain(async () => {
  const settings = readImageSettings(process.env, process.argv.slice(2), await readPackageVersion(`${projectDir}/package.json`));
  const built = await buildImage(projectDir, settings);
  console.log(`built ${settings.image.text} with ${built.builder.name} (plugin.wasm ${built.wasmDigest})`);
  console.log("the manifest digest for WasmPlugin.sha256 is known once pushed: npm run image:push");
});
