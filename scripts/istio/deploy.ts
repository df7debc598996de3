// Puts deploy/istio/ on the local control plane as the README's deploy steps do: the upstream overlay with
// its images set to the pushed plugin image, `kubectl apply -k`; ramp, promote and roll back are the
// patch files of deploy/istio/patches/, applied with the command the README shows.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { generate } from "../cli/lanes/command.ts";
import { BAGGAGE_MEMBER } from "../lib/envoy/topology.ts";
import { REPO_ROOT } from "../lib/paths.ts";
import { GATEWAY_BIND } from "./gateway.ts";
import { kubectl } from "./kubectl.ts";
import { type Flavour, imageSetting, overlayWithImages, PLUGIN_IMAGE, SAMPLE_APP_IMAGE } from "./kustomize.ts";

export interface PushedImage {
  /** host:port/hash-tagging:tag, the image the overlay's `images:` names. */
  image: string;
  /** Manifest digest, hex only: the overlay's `digest:` (as sha256:<hex>). */
  digest: string;
}

/** The apply step's kubectl arguments, as the README shows them (run from the repository): the label, then the overlay. */
export const LABEL_ARGS = ["label", "namespace", "default", "istio-injection=enabled"];
export const applyArgs = (flavour: Flavour) => ["apply", "-k", `deploy/istio/${flavour}`];

/** The patch files of deploy/istio/patches/: the canary range each one sets. */
export const PATCHES = { "ramp-50": 50, promote: 100, rollback: 0 } as const;
export type PatchName = keyof typeof PATCHES;
export const patchFile = (name: PatchName) => `deploy/istio/patches/${name}.yaml`;

/** The ramp, promote and roll-back step's kubectl arguments, as the README shows them. */
export const patchArgs = (name: PatchName) => [
  "patch",
  "wasmplugin",
  "hash-tagging",
  "-n",
  "istio-system",
  "--type",
  "merge",
  "--patch-file",
  patchFile(name),
];

/** The roll-back alternative: the gateway without the filter. */
export const DELETE_PLUGIN_ARGS = ["delete", "wasmplugin", "hash-tagging", "-n", "istio-system"];

/** `npm run image:push` to the local registry; its `url:` and `sha256:` lines name the image and its digest. */
export function pushImage(registryHost: string, tag: string): Promise<PushedImage> {
  const image = `${registryHost}/hash-tagging:${tag}`;
  return new Promise((resolve, reject) => {
    execFile(
      "npm",
      ["run", "--silent", "image:push", "--", "--tls-verify=false"],
      { cwd: REPO_ROOT, env: { ...process.env, IMAGE: image }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const url = /^\s*url: oci:\/\/(\S+)$/m.exec(stdout)?.[1];
        const digest = /^\s*sha256: ([0-9a-f]{64})$/m.exec(stdout)?.[1];
        if (error || url !== image || !digest) {
          reject(
            new Error(
              `npm run image:push (IMAGE=${image}) ${error ? "failed" : "printed no url:/sha256: lines for it"}:\n${stdout}${stderr}`,
            ),
          );
        } else resolve({ image, digest });
      },
    );
  });
}

/**
 * The README's apply step, upstream flavour, on a copy of deploy/istio/ whose overlay names the pushed
 * image (the sample app's name is local: no kubelet runs its Deployments, sample-app.ts's WorkloadEntries
 * stand in for the pods).
 */
export async function applyShipped(kubeconfig: string, pushed: PushedImage): Promise<void> {
  await kubectl(kubeconfig, LABEL_ARGS);
  const overlay = overlayWithImages("upstream", {
    [PLUGIN_IMAGE]: imageSetting(pushed.image, pushed.digest),
    [SAMPLE_APP_IMAGE]: imageSetting("hash-tagging-sample-app:local"),
  });
  try {
    await kubectl(kubeconfig, ["apply", "-k", overlay.dir]);
  } finally {
    overlay.remove();
  }
  // The Gateway listens on every address in a cluster; here its Envoy binds loopback only.
  await kubectl(kubeconfig, [
    "-n",
    "istio-system",
    "patch",
    "gateway",
    "ingressgateway",
    "--type",
    "json",
    "-p",
    JSON.stringify([{ op: "add", path: "/spec/servers/0/bind", value: GATEWAY_BIND }]),
  ]);
}

export const LANE_GROUP = join(REPO_ROOT, "deploy/istio/lane-group.yaml");

/** `npx hash-tagging lanes` on a lane group (as parsed YAML) with the pushed image: the generated files' text, by path. */
function generatedFiles(group: object, pushed: PushedImage): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "hash-tagging-lanes-"));
  try {
    const path = join(dir, "lane-group.yaml");
    writeFileSync(path, stringify(group));
    const { files, problems } = generate(path, { image: `oci://${pushed.image}`, sha256: pushed.digest });
    if (problems.length > 0) throw new Error(`the lane group ${JSON.stringify(group)} is refused: ${problems.join("; ")}`);
    return files;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const shippedGroup = () => parse(readFileSync(LANE_GROUP, "utf8"));

/**
 * Baggage mode instead of the shipped trace-id mode: the lane group with `passThrough: {baggage}`, through
 * `npx hash-tagging lanes` with the pushed image; its sidecar WasmPlugins replace the shipped ones.
 */
export async function applyBaggagePassThrough(kubeconfig: string, pushed: PushedImage): Promise<void> {
  const files = generatedFiles({ ...shippedGroup(), passThrough: { baggage: BAGGAGE_MEMBER } }, pushed);
  await kubectl(kubeconfig, ["apply", "-f", "-"], files["pass-through/wasmplugins.yaml"]);
}

/**
 * Another lane group instead of the shipped one: what `npx hash-tagging lanes` made of the shipped group is
 * deleted, then everything it makes of `group` (as parsed YAML) is applied, with the pushed image.
 */
export async function applyLaneGroup(kubeconfig: string, pushed: PushedImage, group: object): Promise<void> {
  const all = (files: Record<string, string>) => Object.values(files).join("---\n");
  await kubectl(kubeconfig, ["delete", "-f", "-"], all(generatedFiles(shippedGroup(), pushed)));
  await kubectl(kubeconfig, ["apply", "-f", "-"], all(generatedFiles(group, pushed)));
}

/** The gateway's filter with another pluginConfig: a merge patch of the shipped WasmPlugin, as the README's patches are. */
export async function setGatewayPluginConfig(kubeconfig: string, pluginConfig: object): Promise<void> {
  await kubectl(kubeconfig, [
    "-n",
    "istio-system",
    "patch",
    "wasmplugin",
    "hash-tagging",
    "--type",
    "merge",
    "-p",
    JSON.stringify({ spec: { pluginConfig } }),
  ]);
}
