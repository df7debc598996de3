// npm run istio:build: builds kube-apiserver, kubectl, pilot-discovery and pilot-agent at the versions
// pinned in versions.ts into the cache folder, skipping what is already there. A cold build takes
// about 20 minutes of CPU (and about 7 GB of Go caches), so it reports progress as it goes.
// `--kubectl` (npm run kubectl:build) builds kubectl alone: all the manifests suite needs.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import {
  BINARIES,
  ISTIO_DIR,
  ISTIO_FILES,
  ISTIO_VERSION,
  KUBERNETES_DIR,
  KUBERNETES_STAGING_VERSION,
  KUBERNETES_VERSION,
} from "./versions.ts";

// Go's own installer puts it in /usr/local/go/bin, which a login shell may not have on PATH.
const GO_ENV = { ...process.env, CGO_ENABLED: "0", PATH: `${process.env.PATH ?? ""}:/usr/local/go/bin` };
const PROGRESS_EVERY_MS = 30_000;

function goModuleFile(module: string, version: string, field: "Dir" | "GoMod"): string {
  const json = execFileSync("go", ["mod", "download", "-json", `${module}@${version}`], { env: GO_ENV, encoding: "utf8", cwd: tmpdir() });
  return JSON.parse(json)[field];
}

/** Runs `go` with -v, printing a line every 30 s with the number of packages compiled so far. */
function go(label: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<void> {
  const started = Date.now();
  let packages = 0;
  let output = "";
  return new Promise((resolve, reject) => {
    const child = spawn("go", args, { cwd, env: { ...GO_ENV, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const timer = setInterval(() => {
      console.log(`  ${label}: ${packages} packages so far, ${Math.round((Date.now() - started) / 1000)} s`);
    }, PROGRESS_EVERY_MS);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output = (output + text).slice(-20_000);
      packages += text.split("\n").filter((line) => line && !line.startsWith("go: ")).length;
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearInterval(timer);
      reject(new Error(e.code === "ENOENT" ? "go is not on PATH: install Go (1.26 or newer) to build the local Istio chain" : e.message));
    });
    child.on("exit", (code) => {
      clearInterval(timer);
      if (code === 0) {
        console.log(`  ${label}: done in ${Math.round((Date.now() - started) / 1000)} s`);
        resolve();
      } else reject(new Error(`${label}: go ${args.join(" ")} failed (exit ${code}):\n${output}`));
    });
  });
}

async function buildIstio(): Promise<void> {
  const missing = [BINARIES.pilotDiscovery, BINARIES.pilotAgent].filter((bin) => !existsSync(bin));
  if (missing.length === 0) {
    console.log(`istio ${ISTIO_VERSION}: pilot-discovery and pilot-agent already built`);
  } else {
    const names = missing.map((bin) => basename(bin));
    console.log(`istio ${ISTIO_VERSION}: building ${names.join(" and ")} (about 10 min of CPU cold)`);
    const partial = join(ISTIO_DIR, ".partial");
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    // `go install` has no -o; a GOBIN of its own keeps half-built files away from the final names.
    await go("istio", ["install", "-v", ...names.map((name) => `istio.io/istio/pilot/cmd/${name}@${ISTIO_VERSION}`)], tmpdir(), {
      GOBIN: partial,
    });
    for (const name of names) renameSync(join(partial, name), join(ISTIO_DIR, name));
    rmSync(partial, { recursive: true, force: true });
  }
  if (Object.values(ISTIO_FILES).every((file) => existsSync(file.to))) return;
  const moduleDir = goModuleFile("istio.io/istio", ISTIO_VERSION, "Dir");
  for (const file of Object.values(ISTIO_FILES)) copyFileSync(join(moduleDir, file.from), file.to);
  console.log(`istio ${ISTIO_VERSION}: CRDs and Envoy bootstrap template copied`);
}

/**
 * kube-apiserver cannot be `go install`ed: k8s.io/kubernetes points its k8s.io/* staging modules at
 * local directories. A scratch module requires it and replaces each of them with its published version.
 */
function scratchModule(dir: string): void {
  const kubernetesGoMod = readFileSync(goModuleFile("k8s.io/kubernetes", KUBERNETES_VERSION, "GoMod"), "utf8");
  const staging = [...kubernetesGoMod.matchAll(/^\s*(k8s\.io\/\S+) => \.\/staging\//gm)].map((m) => m[1]);
  if (staging.length === 0) throw new Error(`k8s.io/kubernetes ${KUBERNETES_VERSION}: no staging replace directives found in its go.mod`);
  const goVersion = /^go (\S+)$/m.exec(kubernetesGoMod)?.[1] ?? "1.26.0";
  writeFileSync(
    join(dir, "go.mod"),
    [
      "module hash-tagging/kubernetes-build",
      "",
      `go ${goVersion}`,
      "",
      `require k8s.io/kubernetes ${KUBERNETES_VERSION}`,
      "",
      "replace (",
      ...staging.map((m) => `\t${m} => ${m} ${KUBERNETES_STAGING_VERSION}`),
      ")",
      "",
    ].join("\n"),
  );
}

async function buildKubernetes(wanted: string[]): Promise<void> {
  const missing = wanted.filter((bin) => !existsSync(bin));
  if (missing.length === 0) {
    console.log(`kubernetes ${KUBERNETES_VERSION}: ${wanted.map((bin) => basename(bin)).join(" and ")} already built`);
    return;
  }
  const names = missing.map((bin) => basename(bin));
  console.log(`kubernetes ${KUBERNETES_VERSION}: building ${names.join(" and ")} (about ${4 * names.length} min of CPU cold)`);
  const dir = mkdtempSync(join(tmpdir(), "hash-tagging-kubernetes-build-"));
  const partial = join(KUBERNETES_DIR, ".partial");
  try {
    scratchModule(dir);
    const packages = names.map((name) => `k8s.io/kubernetes/cmd/${name}`);
    await go("kubernetes (resolving modules)", ["get", ...packages.map((p) => `${p}@${KUBERNETES_VERSION}`)], dir);
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial);
    await go("kubernetes", ["build", "-v", "-o", partial + "/", ...packages], dir);
    for (const name of names) renameSync(join(partial, name), join(KUBERNETES_DIR, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(partial, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const kubectlOnly = process.argv.includes("--kubectl");
  mkdirSync(KUBERNETES_DIR, { recursive: true });
  if (kubectlOnly) {
    await buildKubernetes([BINARIES.kubectl]);
    console.log(`kubectl:build: ${BINARIES.kubectl} (${Math.round((Date.now() - started) / 1000)} s)`);
    return;
  }
  mkdirSync(ISTIO_DIR, { recursive: true });
  await buildIstio();
  await buildKubernetes([BINARIES.kubeApiserver, BINARIES.kubectl]);
  console.log(`istio:build: binaries in ${ISTIO_DIR} and ${KUBERNETES_DIR} (${Math.round((Date.now() - started) / 1000)} s)`);
}

main().catch((e: Error) => {
  console.error(`istio:build: ${e.message}`);
  process.exit(1);
});
