// Puts the shipped deploy/istio/ manifests on the local control plane with the README's own commands
// (read from README.md, not restated), after pushing the plugin image to the local registry.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { generate } from "../cli/lanes/command.ts";
import { BAGGAGE_MEMBER } from "../lib/envoy/topology.ts";
import { REPO_ROOT } from "../lib/paths.ts";
import { GATEWAY_BIND } from "./gateway.ts";
import { kubectl, shell } from "./kubectl.ts";

export interface PushedImage {
  /** host:port/hash-tagging:tag, the IMAGE of the README's apply step. */
  image: string;
  /** Manifest digest, hex only: the DIGEST of the README's apply step. */
  digest: string;
}

/** The shell commands of one README section's ```sh blocks: continuation lines joined, comments dropped. */
function readmeCommands(heading: string): string[] {
  const lines = readFileSync(join(REPO_ROOT, "README.md"), "utf8").split("\n");
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README.md: no section "${heading}"`);
  const blocks: string[] = [];
  let block: string[] | undefined;
  for (const line of lines.slice(start + 1)) {
    if (block) {
      if (line.startsWith("```")) {
        blocks.push(block.join("\n"));
        block = undefined;
      } else block.push(line);
    } else if (line === "```sh") block = [];
    else if (/^#{1,3} /.test(line)) break;
  }
  return blocks.flatMap((text) => text.replace(/\\\n\s*/g, "").split("\n"))
    .map((line) => line.replace(/\s+#[^'"]*$/, "").trim())
    .filter((line) => line && !line.startsWith("#"));
}

/** The one README command of `heading` that contains every one of `parts`. */
export function readmeCommand(heading: string, ...parts: string[]): string {
  const found = readmeCommands(heading).filter((line) => parts.every((p) => line.includes(p)));
  if (found.length !== 1) throw new Error(`README.md "${heading}": ${found.length} commands contain ${parts.map((p) => JSON.stringify(p)).join(" and ")}, want 1`);
  return found[0];
}

const APPLY = "### 3. Apply";

/** `npm run image:push` to the local registry; its `url:` and `sha256:` lines are what the README pastes. */
export function pushImage(registryHost: string, tag: string): Promise<PushedImage> {
  const image = `${registryHost}/hash-tagging:${tag}`;
  return new Promise((resolve, reject) => {
    execFile("npm", ["run", "--silent", "image:push", "--", "--tls-verify=false"], { cwd: REPO_ROOT, env: { ...process.env, IMAGE: image }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const url = /^\s*url: oci:\/\/(\S+)$/m.exec(stdout)?.[1];
        const digest = /^\s*sha256: ([0-9a-f]{64})$/m.exec(stdout)?.[1];
        if (error || url !== image || !digest) {
          reject(new Error(`npm run image:push (IMAGE=${image}) ${error ? "failed" : "printed no url:/sha256: lines for it"}:\n${stdout}${stderr}`));
        } else resolve({ image, digest });
      });
  });
}

async function run(kubeconfig: string, command: string, env: Record<string, string> = {}): Promise<void> {
  const r = await shell(kubeconfig, command, env);
  if (r.code !== 0) throw new Error(`README command failed (exit ${r.code}): ${command}\n${r.stderr}${r.stdout}`);
}

/**
 * The README's apply step, upstream flavour. The Deployments are applied too but stay without pods (no
 * kubelet): the sample app's stand-ins are sample-app.ts's WorkloadEntries.
 */
export async function applyShipped(kubeconfig: string, pushed: PushedImage): Promise<void> {
  await run(kubeconfig, readmeCommand(APPLY, "kubectl label namespace default"));
  await run(kubeconfig, readmeCommand(APPLY, "SAMPLE_APP_IMAGE", "sample-app.yaml"), { SAMPLE_APP_IMAGE: "hash-tagging-sample-app:local" });
  await run(kubeconfig, readmeCommand(APPLY, "gateway.yaml"));
  // The Gateway listens on every address in a cluster; here its Envoy binds loopback only.
  await kubectl(kubeconfig, ["-n", "istio-system", "patch", "gateway", "ingressgateway", "--type", "json",
    "-p", JSON.stringify([{ op: "add", path: "/spec/servers/0/bind", value: GATEWAY_BIND }])]);
  await run(kubeconfig, readmeCommand(APPLY, "wasmplugin.yaml"), { IMAGE: pushed.image, DIGEST: pushed.digest });
  await run(kubeconfig, readmeCommand(APPLY, "pass-through/wasmplugins.yaml"), { IMAGE: pushed.image, DIGEST: pushed.digest });
}

export const LANE_GROUP = join(REPO_ROOT, "deploy/istio/lane-group.yaml");

/**
 * Baggage mode instead of the shipped trace-id mode: the lane group with `passThrough: {baggage}`, through
 * `npx hash-tagging lanes` with the pushed image; its sidecar WasmPlugins replace the shipped ones.
 */
export async function applyBaggagePassThrough(kubeconfig: string, pushed: PushedImage): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "hash-tagging-lanes-"));
  try {
    const group = { ...parse(readFileSync(LANE_GROUP, "utf8")), passThrough: { baggage: BAGGAGE_MEMBER } };
    const path = join(dir, "lane-group-baggage.yaml");
    writeFileSync(path, stringify(group));
    const { files, problems } = generate(path, { image: `oci://${pushed.image}`, sha256: pushed.digest });
    if (problems.length > 0) throw new Error(`the baggage lane group is refused: ${problems.join("; ")}`);
    await kubectl(kubeconfig, ["apply", "-f", "-"], files["pass-through/wasmplugins.yaml"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
