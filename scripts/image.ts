// npm run image: build ./Dockerfile (FROM scratch + /plugin.wasm) with docker if an engine answers, else buildah.
// npm run image:push: the same, then push to the registry named in IMAGE and print the manifest digest that
// WasmPlugin.sha256 pins. Run from the project directory (npm does): it is the build context.
// npm run image:webhook (and image:webhook:push): the admission webhook's image instead, from
// deploy/istio/webhook/Dockerfile and a context scripts/lib/webhook-image.ts prepares.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { splitImage } from "./lib/image-name.ts";
import { PLUGIN_WASM_IN_REPO as RELEASE_WASM } from "./lib/paths.ts";
import { runSync } from "./lib/process.ts";
import { webhookBuildContext } from "./lib/webhook-image.ts";

const WASM_MAGIC = Buffer.from([0x00, 0x61, 0x73, 0x6d]);
const DOCKER_HINT = "install Docker Engine and start it";
const BUILDAH_HINT = "`apt-get install buildah` (Debian/Ubuntu; no daemon needed)";

export interface Settings {
  /** The filter's image (./Dockerfile) or the admission webhook's. */
  target: "plugin" | "webhook";
  image: string;
  format: "docker" | "oci"; // the manifest buildah pushes; Istio's fetcher reads both
  builder: "auto" | "docker" | "buildah";
  tlsVerify: boolean; // false: a local registry may answer over plain HTTP or with a self-signed certificate
  sourceDateEpoch: string; // stamped on the image and its file: a fixed date gives one wasm one digest
  storageDriver: string;
  push: boolean;
}

function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new Error(`${name}=${JSON.stringify(text)}: expected one of ${allowed.join(", ")}`);
}

/** The environment and arguments (`push`, `--tls-verify=true|false`) as settings, or one error line. */
export function readSettings(env: NodeJS.ProcessEnv, argv: string[], packageVersion: string): Settings {
  let push = false;
  let target: Settings["target"] = "plugin";
  let tlsVerify: [string, string] = ["TLS_VERIFY", env.TLS_VERIFY ?? "true"];
  for (const arg of argv) {
    if (arg === "push") push = true;
    else if (arg === "webhook") target = "webhook";
    else if (arg.startsWith("--tls-verify=")) tlsVerify = ["--tls-verify", arg.slice("--tls-verify=".length)];
    else throw new Error(`unknown argument ${arg}: the only option is --tls-verify=true|false (and the words push, webhook)`);
  }
  const image = env.IMAGE || `localhost/${target === "plugin" ? "hash-tagging" : "hash-tagging-webhook"}:${packageVersion}`;
  // podman and buildah read `localhost/` without a port as "local storage only", not as a registry.
  if (push && image.startsWith("localhost/"))
    throw new Error(
      `IMAGE=${image} names no registry to push to: set IMAGE=REGISTRY[:PORT]/REPOSITORY:TAG, e.g. IMAGE=127.0.0.1:5000/hash-tagging:${packageVersion}`,
    );
  const sourceDateEpoch = env.SOURCE_DATE_EPOCH ?? "0";
  if (!/^\d{1,12}$/.test(sourceDateEpoch))
    throw new Error(`SOURCE_DATE_EPOCH=${JSON.stringify(sourceDateEpoch)}: expected whole seconds since 1970`);
  return {
    target,
    image,
    sourceDateEpoch,
    push,
    format: oneOf("IMAGE_FORMAT", env.IMAGE_FORMAT || "docker", ["docker", "oci"] as const),
    builder: oneOf("IMAGE_BUILDER", env.IMAGE_BUILDER || "auto", ["auto", "docker", "buildah"] as const),
    tlsVerify: oneOf(tlsVerify[0], tlsVerify[1], ["true", "false"] as const) === "true",
    storageDriver: env.STORAGE_DRIVER || "vfs", // vfs works everywhere (containers, no overlay or fuse)
  };
}

/** Runs a tool with its output on our stderr (progress); returns stdout when asked; throws if it fails. */
function run(command: string, args: string[], captureStdout = false): string {
  const result = runSync(command, args, { stdout: captureStdout ? "capture" : "stderr", stderr: "inherit" });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (captureStdout) process.stderr.write(result.stdout);
  if (result.code !== 0) throw new Error(`\`${command} ${args.join(" ")}\` failed (exit ${result.code}); its output is above`);
  return result.stdout;
}

/** Why no Docker engine answers, or undefined when one does: the docker client alone cannot build. */
function dockerEngineProblem(): string | undefined {
  const info = runSync("docker", ["info", "--format", "{{.ServerVersion}}"], { timeoutMs: 20_000 });
  if (info.error) return (info.error as NodeJS.ErrnoException).code === "ENOENT" ? "docker is not installed" : info.error.message;
  if (info.code === 0 && info.stdout.trim() !== "") return undefined;
  return `\`docker info\` failed: ${(info.stderr || info.stdout).trim().split("\n")[0] || `exit ${info.code}`}`;
}

const buildahInstalled = () => runSync("buildah", ["--version"], { timeoutMs: 15_000 }).code === 0;

/** Docker where an engine answers, else buildah; an explicit IMAGE_BUILDER is honoured or refused with the reason. */
export function pickBuilder(choice: Settings["builder"]): "docker" | "buildah" {
  if (choice === "buildah") {
    if (buildahInstalled()) return "buildah";
    throw new Error(`IMAGE_BUILDER=buildah, but buildah is not installed: ${BUILDAH_HINT}`);
  }
  const problem = dockerEngineProblem();
  if (!problem) return "docker";
  if (choice === "docker")
    throw new Error(
      `IMAGE_BUILDER=docker, but no Docker engine answers (${problem}): ${DOCKER_HINT}, or unset IMAGE_BUILDER to use buildah`,
    );
  if (buildahInstalled()) return "buildah";
  throw new Error(
    `cannot build the image: no Docker engine answers (${problem}) and buildah is not installed: ${DOCKER_HINT}, or ${BUILDAH_HINT}`,
  );
}

/** The release module's sha256, after checking it is there and is Wasm (Istio refuses anything else). */
function releaseWasmDigest(contextDir: string): string {
  const path = join(contextDir, RELEASE_WASM);
  if (!existsSync(path))
    throw new Error(`${RELEASE_WASM} does not exist: run \`npm run asbuild\` first (it writes the release module there)`);
  const bytes = readFileSync(path);
  if (!bytes.subarray(0, 4).equals(WASM_MAGIC)) {
    throw new Error(
      `${RELEASE_WASM} is not a Wasm module: it starts with 0x${bytes.subarray(0, 4).toString("hex") || "(empty file)"}, expected 0x0061736d; rebuild it with \`npm run asbuild\``,
    );
  }
  return "sha256:" + createHash("sha256").update(bytes).digest("hex");
}

function buildahBuildAndPush(s: Settings, context: string): string | undefined {
  const storage = ["--storage-driver", s.storageDriver];
  // OCI format, no history, no identity label: buildah's docker-format config carries a random container id
  // and the label its version, so either would change the digest of the same wasm.
  run("buildah", [
    ...storage,
    "build",
    "--isolation",
    "chroot",
    "--format",
    "oci",
    "--timestamp",
    s.sourceDateEpoch,
    "--omit-history",
    "--identity-label=false",
    "--layers=false",
    "-t",
    s.image,
    context,
  ]);
  if (!s.push) return undefined;
  const scratch = mkdtempSync(join(tmpdir(), "image-push-"));
  try {
    // Istio refuses zstd and uncompressed layers, and a containers.conf may default to either.
    run("buildah", [
      ...storage,
      "push",
      "--format",
      s.format === "docker" ? "v2s2" : "oci",
      "--compression-format",
      "gzip",
      `--tls-verify=${s.tlsVerify}`,
      "--digestfile",
      join(scratch, "digest"),
      "--quiet",
      s.image,
      `docker://${s.image}`,
    ]);
    return readFileSync(join(scratch, "digest"), "utf8").trim();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function dockerBuildAndPush(s: Settings, context: string): string | undefined {
  // BuildKit (Docker 23+) stamps SOURCE_DATE_EPOCH on the image; the legacy builder stamps the build time.
  run("docker", ["build", "--build-arg", `SOURCE_DATE_EPOCH=${s.sourceDateEpoch}`, "-t", s.image, context]);
  if (!s.push) return undefined;
  // docker pushes the manifest format its store holds, and trusts plain HTTP only on 127.0.0.0/8 and the
  // engine's "insecure-registries": IMAGE_FORMAT and TLS_VERIFY are buildah's.
  const printed = run("docker", ["push", s.image], true);
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(printed)?.[1];
  if (!digest) throw new Error(`docker push ${s.image} printed no "digest: sha256:..." line`);
  return digest;
}

async function main(): Promise<void> {
  const contextDir = process.cwd();
  const { version } = JSON.parse(readFileSync(join(contextDir, "package.json"), "utf8")) as { version: string };
  const s = readSettings(process.env, process.argv.slice(2), version);
  const wasmDigest = releaseWasmDigest(contextDir);
  const builder = pickBuilder(s.builder);
  const scratch = s.target === "webhook" ? mkdtempSync(join(tmpdir(), "webhook-image-")) : undefined;
  let digest;
  try {
    const context = scratch ? await webhookBuildContext(contextDir, scratch) : ".";
    digest = builder === "docker" ? dockerBuildAndPush(s, context) : buildahBuildAndPush(s, context);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
  const pushCommand = s.target === "webhook" ? "npm run image:webhook:push" : "npm run image:push";
  if (!digest)
    return console.log(
      `built ${s.image} with ${builder} (plugin.wasm ${wasmDigest})\nthe manifest digest${s.target === "plugin" ? " for WasmPlugin.sha256" : ""} is known once pushed: ${pushCommand}`,
    );
  if (!/^sha256:[0-9a-f]{64}$/.test(digest))
    throw new Error(`${builder} push reported ${JSON.stringify(digest)}, expected sha256:<64 hex>`);
  console.log(
    `pushed ${s.image} (${builder === "docker" ? "docker's" : s.format} manifest, built with ${builder}, plugin.wasm ${wasmDigest})`,
  );
  console.log(`manifest digest: ${digest}`);
  const { name, tag } = splitImage(s.image);
  const entry = (image: string) => `  - name: ${image}\n    newName: ${name}${tag ? `\n    newTag: ${tag}` : ""}\n    digest: ${digest}`;
  if (s.target === "webhook") return console.log(`\nin deploy/istio/webhook/kustomization.yaml, images:\n${entry("hash-tagging-webhook")}`);
  console.log(`\nin the overlay's kustomization.yaml (deploy/istio/upstream/ or asm/), images:\n${entry("hash-tagging")}`);
  // Istio wants the manifest digest's hex, without `sha256:`.
  console.log(`\nor in a WasmPlugin of your own:\n  url: oci://${s.image}\n  sha256: ${digest.slice("sha256:".length)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: Error) => {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = 1;
  });
}
