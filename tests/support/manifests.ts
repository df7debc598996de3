import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { type Flavour, render } from "../../scripts/istio/kustomize.ts";
import { BINARIES } from "../../scripts/istio/versions.ts";
import { skipLoudly } from "./required-tools.ts";

export const DEPLOY_DIR = fileURLToPath(new URL("../../deploy/istio", import.meta.url));
/** The lane group: the input of `npx hash-tagging lanes`, not a resource anyone applies. */
export const LANE_GROUP_FILE = "lane-group.yaml";
/** The admission webhook's Kubernetes resources: installed on their own, not part of either flavour. */
export const WEBHOOK_DIR = join(DEPLOY_DIR, "webhook");
/** The gateway's WasmPlugin as the base ships it (its url set by the overlays). */
export const SHIPPED_WASMPLUGIN = join(DEPLOY_DIR, "base/wasmplugin.yaml");

export interface Manifest {
  /** Where it comes from (`deploy/istio/...` file, or the rendered overlay) and document index, for messages. */
  where: string;
  doc: Record<string, any>;
}

/** undefined when the cached kubectl can render the overlays; otherwise the loud skip message (a failure under CI=true). */
export function renderSkip(suite: string): string | undefined {
  if (existsSync(BINARIES.kubectl)) return undefined;
  return skipLoudly(
    suite,
    `the overlays are rendered by the cache's kubectl (${BINARIES.kubectl}), which is missing`,
    "run `npm run kubectl:build` (kubectl alone; `npm test` does so itself)",
  );
}

function documents(text: string, source: string): Manifest[] {
  return parseAllDocuments(text).map((parsed, i) => {
    if (parsed.errors.length > 0) throw new Error(`${source} document ${i}: ${parsed.errors.map((e) => e.message).join("; ")}`);
    return { where: `${source}#${i} (${parsed.get("kind")} ${parsed.getIn(["metadata", "name"])})`, doc: parsed.toJS() };
  });
}

/** What `kubectl apply -k` would send for an overlay of deploy/istio (or a copy of it at `dir`). */
export function rendered(overlay: Flavour | "webhook", dir = join(DEPLOY_DIR, overlay)): Manifest[] {
  return documents(render(dir), `deploy/istio/${overlay} (rendered)`);
}

/** The documents of one file under deploy/istio/; a syntax error throws naming the file and line. */
export function fileManifests(path: string): Manifest[] {
  return documents(readFileSync(path, "utf8"), relative(join(DEPLOY_DIR, "../.."), path));
}

/** The documents of deploy/istio/webhook/'s resources (not its kustomization.yaml), as files. */
export function loadWebhookManifests(): Manifest[] {
  return readdirSync(WEBHOOK_DIR)
    .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
    .sort()
    .flatMap((f) => fileManifests(join(WEBHOOK_DIR, f)));
}

export function find(manifests: Manifest[], kind: string, name: string, namespace?: string): Manifest {
  const found = manifests.filter(
    (m) => m.doc.kind === kind && m.doc.metadata?.name === name && (namespace === undefined || m.doc.metadata?.namespace === namespace),
  );
  if (found.length !== 1) throw new Error(`expected one ${kind} ${namespace ?? "*"}/${name}, found ${found.length}`);
  return found[0];
}
