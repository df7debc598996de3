// npm run image:push: build, push to the registry named in IMAGE, print the manifest digest for WasmPlugin.sha256.
import { fileURLToPath } from "node:url";
import { buildAndPushImage, wasmPluginSnippet } from "../src/oci/image-commands.ts";
import { readImageSettings } from "../src/oci/image-settings.ts";
import { readPackageVersion } from "../src/oci/package-version.ts";
import { runMain } from "../src/oci/cli-main.ts";

const projectDir = fileURLToPath(new URL("..", import.meta.url));

runMain(async () => {
  const settings = readImageSettings(process.env, process.argv.slice(2), await readPackageVersion(`${projectDir}/package.json`));
  const pushed = await buildAndPushImage(projectDir, settings);
  console.log(`pushed ${settings.image.text} (${settings.format} manifest, built with ${pushed.builder.name})`);
  console.log(`manifest digest: ${pushed.manifestDigest}`);
  console.log(`\nin the WasmPlugin:\n${wasmPluginSnippet(settings.image.text, pushed.manifestDigest)}`);
});
