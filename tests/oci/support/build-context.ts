import { copyFile, mkdir, utimes } from "node:fs/promises";
import { join } from "node:path";
import { PROJECT_DIR, RELEASE_WASM } from "./project.ts";

/**
 * A copy of the image's build context (Dockerfile, .dockerignore, package.json, build/plugin.wasm) in `dir`,
 * with the module's mtime set to `mtime`: a build from here differs from one in the project in path and
 * timestamps only.
 */
export async function copyBuildContext(dir: string, mtime: Date): Promise<string> {
  await mkdir(join(dir, "build"), { recursive: true });
  for (const file of ["Dockerfile", ".dockerignore", "package.json"]) await copyFile(join(PROJECT_DIR, file), join(dir, file));
  await copyFile(RELEASE_WASM, join(dir, "build", "plugin.wasm"));
  await utimes(join(dir, "build", "plugin.wasm"), mtime, mtime);
  return dir;
}
