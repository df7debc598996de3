import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const DEPLOY_DIR = fileURLToPath(new URL("../../deploy/istio", import.meta.url));
/** The lane group: the input of `npx hash-tagging lanes`, not a resource anyone applies. */
export const LANE_GROUP_FILE = "lane-group.yaml";
/** The admission webhook's Kubernetes resources: installed on their own, not part of either flavour. */
export const WEBHOOK_DIR = join(DEPLOY_DIR, "webhook");

export interface Manifest {
  /** `deploy/istio/...` path and document index, for messages. */
  where: string;
  file: string;
  flavour: "shared" | "upstream" | "asm";
  doc: Record<string, any>;
}

function yamlFiles(dir: string, skip = ""): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return path === skip ? [] : yamlFiles(path, skip);
      return /\.ya?ml$/.test(entry.name) ? [path] : [];
    })
    .sort();
}

/** Every YAML document under deploy/istio but the webhook's; a syntax error throws naming the file and line. */
export function loadManifests(): Manifest[] {
  return parseFiles(yamlFiles(DEPLOY_DIR, WEBHOOK_DIR).filter((path) => relative(DEPLOY_DIR, path) !== LANE_GROUP_FILE));
}

/** The documents of deploy/istio/webhook/. */
export function loadWebhookManifests(): Manifest[] {
  return parseFiles(yamlFiles(WEBHOOK_DIR));
}

function parseFiles(paths: string[]): Manifest[] {
  return paths.flatMap((path) => {
    const file = relative(join(DEPLOY_DIR, "../.."), path);
    const flavourDir = relative(DEPLOY_DIR, path).split("/")[0];
    const flavour = flavourDir === "upstream" || flavourDir === "asm" ? flavourDir : "shared";
    return parseAllDocuments(readFileSync(path, "utf8")).map((parsed, i) => {
      if (parsed.errors.length > 0) throw new Error(`${file} document ${i}: ${parsed.errors.map((e) => e.message).join("; ")}`);
      return { where: `${file}#${i} (${parsed.get("kind")} ${parsed.getIn(["metadata", "name"])})`, file, flavour, doc: parsed.toJS() };
    });
  });
}

/** The manifests one flavour applies: the shared files plus its own directory. */
export function flavour(manifests: Manifest[], name: "upstream" | "asm"): Manifest[] {
  return manifests.filter((m) => m.flavour === "shared" || m.flavour === name);
}

export function find(manifests: Manifest[], kind: string, name: string, namespace?: string): Manifest {
  const found = manifests.filter((m) => m.doc.kind === kind && m.doc.metadata?.name === name && (namespace === undefined || m.doc.metadata?.namespace === namespace));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${namespace ?? "*"}/${name}, found ${found.length}`);
  return found[0];
}
