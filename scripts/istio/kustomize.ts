// deploy/istio/'s kustomize overlays, through the built-in kustomize of the cached kubectl: rendered, and
// with their images set where a user sets them, in the overlay's own kustomization.yaml (its `replacements:`
// carry the filter's image into the WasmPlugins' url only from there).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMap, isSeq, parseDocument } from "yaml";
import { splitImage } from "../lib/image-name.ts";
import { REPO_ROOT } from "../lib/paths.ts";
import { runSync } from "../lib/process.ts";
import { BINARIES } from "./versions.ts";

export const DEPLOY_ISTIO = join(REPO_ROOT, "deploy/istio");
export type Flavour = "upstream" | "asm";
export const FLAVOURS: readonly Flavour[] = ["upstream", "asm"];

/** The images' names in the overlays' `images:` (and in base/ where they are used). */
export const PLUGIN_IMAGE = "hash-tagging";
export const SAMPLE_APP_IMAGE = "hash-tagging-sample-app";

/** An `images:` entry's new value, as `kustomize edit set image NAME=newName:newTag@digest` writes it. */
export interface ImageSetting {
  newName: string;
  newTag?: string;
  /** `sha256:<64 hex digits>`. */
  digest?: string;
}

/** An image reference (and its manifest digest's hex) as an images: entry's new value. */
export function imageSetting(image: string, digestHex?: string): ImageSetting {
  const { name, tag } = splitImage(image);
  return { newName: name, ...(tag ? { newTag: tag } : {}), ...(digestHex ? { digest: `sha256:${digestHex}` } : {}) };
}

/** `kubectl kustomize DIR`: the overlay's resources as multi-document YAML; throws with kustomize's error. */
export function render(dir: string): string {
  const r = runSync(BINARIES.kubectl, ["kustomize", dir]);
  if (r.code !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.error?.message ?? r.stderr.trim()}`);
  return r.stdout;
}

export interface OverlayCopy {
  /** The overlay's directory in the copy: pass it to `kubectl apply -k` or render(). */
  dir: string;
  remove(): void;
}

/** A copy of deploy/istio/ whose kustomization `overlay` (upstream, asm, webhook) has the given `images:` entries set (by name). */
export function overlayWithImages(overlay: string, images: Record<string, ImageSetting>): OverlayCopy {
  const root = mkdtempSync(join(tmpdir(), "hash-tagging-deploy-"));
  try {
    cpSync(DEPLOY_ISTIO, root, { recursive: true });
    const file = join(root, overlay, "kustomization.yaml");
    const doc = parseDocument(readFileSync(file, "utf8"));
    const list = doc.get("images");
    const entries = isSeq(list) ? list.items.filter(isMap) : [];
    for (const [name, setting] of Object.entries(images)) {
      const entry = entries.find((e) => e.get("name") === name);
      if (!entry) throw new Error(`deploy/istio/${overlay}/kustomization.yaml: no images: entry named ${name}`);
      for (const key of ["newName", "newTag", "digest"] as const) {
        if (setting[key] === undefined) entry.delete(key);
        else entry.set(key, setting[key]);
      }
    }
    writeFileSync(file, doc.toString());
    return { dir: join(root, overlay), remove: () => rmSync(root, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}
