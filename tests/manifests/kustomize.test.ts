// The overlays as kustomize builds them with the cached kubectl: each is the base plus its own files (the
// upstream ones the generator's), and an image set in an overlay's `images:` reaches every Deployment and,
// through the overlay's replacement, every WasmPlugin's url, changing nothing else.

import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isOurImage } from "../../scripts/cli/webhook/ownership.ts";
import {
  FLAVOURS,
  type Flavour,
  type ImageSetting,
  overlayWithImages,
  PLUGIN_IMAGE,
  SAMPLE_APP_IMAGE,
} from "../../scripts/istio/kustomize.ts";
import { DEPLOY_DIR, fileManifests, type Manifest, rendered, renderSkip } from "../support/manifests.ts";
import { istioSchemaProblems } from "./support/istio-schema.ts";

const skip = renderSkip("manifests");
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const id = (m: Manifest) => `${m.doc.kind} ${m.doc.metadata.namespace}/${m.doc.metadata.name}`;
const WASMPLUGINS = { upstream: 7, asm: 1 };

/** The resources of every YAML file in a directory of deploy/istio/ but its kustomization.yaml. */
function filesOf(dir: string): Manifest[] {
  return readdirSync(join(DEPLOY_DIR, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".yaml") && e.name !== "kustomization.yaml")
    .map((e) => join(e.parentPath, e.name))
    .sort()
    .flatMap((path) => fileManifests(path));
}

function renderedWith(flavour: Flavour | "webhook", images: Record<string, ImageSetting>): Manifest[] {
  const copy = overlayWithImages(flavour, images);
  try {
    return rendered(flavour, copy.dir);
  } finally {
    copy.remove();
  }
}

/** A rendered resource with its image fields blanked: what must not change when only the images do. */
function withoutImages(doc: Record<string, any>): Record<string, any> {
  const copy = structuredClone(doc);
  if (copy.kind === "WasmPlugin") copy.spec.url = "<image>";
  for (const c of copy.spec?.template?.spec?.containers ?? []) c.image = "<image>";
  return copy;
}

for (const flavour of FLAVOURS) {
  test(`${flavour}: the base's resources and the overlay's own files, each once; the images carrier stays out`, { skip }, () => {
    const base = filesOf("base").filter((m) => m.doc.kind !== "Images");
    assert.equal(filesOf("base").length - base.length, 1, "base/images.yaml: the one local-config carrier");
    const want = [...base, ...filesOf(flavour)].map(id).sort();
    assert.deepEqual(
      rendered(flavour).map(id).sort(),
      want,
      `deploy/istio/${flavour}/kustomization.yaml lists every file of its directory and the base`,
    );
  });

  test(`${flavour}: an image set in the overlay's images: reaches every WasmPlugin's url and Deployment, and nothing else changes`, {
    skip,
  }, () => {
    const shipped = rendered(flavour);
    const set = renderedWith(flavour, {
      [PLUGIN_IMAGE]: { newName: "registry.example.com/team/hash-tagging", newTag: "0.1.0", digest: DIGEST },
      [SAMPLE_APP_IMAGE]: { newName: "registry.example.com/team/sample-app", newTag: "1.2.3" },
    });
    assert.deepEqual(set.map(id), shipped.map(id));
    const plugins = set.filter((m) => m.doc.kind === "WasmPlugin");
    assert.equal(plugins.length, WASMPLUGINS[flavour]);
    for (const m of plugins) {
      assert.equal(m.doc.spec.url, `oci://registry.example.com/team/hash-tagging:0.1.0@${DIGEST}`, m.where);
      assert.deepEqual(istioSchemaProblems(m.doc), [], m.where);
      assert.ok(isOurImage(m.doc.spec.url), `${m.where}: the webhook would not judge ${m.doc.spec.url}`);
    }
    const deployments = set.filter((m) => m.doc.kind === "Deployment");
    assert.equal(deployments.length, 4);
    for (const m of deployments)
      assert.deepEqual(
        m.doc.spec.template.spec.containers.map((c: { image: string }) => c.image),
        ["registry.example.com/team/sample-app:1.2.3"],
        m.where,
      );
    for (const [i, m] of set.entries()) assert.deepEqual(withoutImages(m.doc), withoutImages(shipped[i].doc), m.where);
  });
}

test("a registry with a port and a tag without a digest: the url keeps oci:// and gets no digest", { skip }, () => {
  const set = renderedWith("upstream", { [PLUGIN_IMAGE]: { newName: "127.0.0.1:5000/hash-tagging", newTag: "local" } });
  assert.deepEqual(
    [...new Set(set.filter((m) => m.doc.kind === "WasmPlugin").map((m) => m.doc.spec.url))],
    ["oci://127.0.0.1:5000/hash-tagging:local"],
  );
});

test("an image the overlay does not name is an error naming its kustomization", () => {
  assert.throws(() => overlayWithImages("asm", { "hash-tagging-typo": { newName: "x" } }), {
    message: "deploy/istio/asm/kustomization.yaml: no images: entry named hash-tagging-typo",
  });
});

test("the webhook's kustomization sets its Deployment's image", { skip }, () => {
  const set = renderedWith("webhook", {
    "hash-tagging-webhook": { newName: "registry.example.com/team/hash-tagging-webhook", newTag: "0.1.0", digest: DIGEST },
  });
  const deployment = set.find((m) => m.doc.kind === "Deployment");
  assert.ok(deployment, "deploy/istio/webhook renders no Deployment");
  assert.deepEqual(
    deployment.doc.spec.template.spec.containers.map((c: { image: string }) => c.image),
    [`registry.example.com/team/hash-tagging-webhook:0.1.0@${DIGEST}`],
  );
  assert.deepEqual(
    set.map(id).sort(),
    filesOf("webhook")
      .filter((m) => !m.where.startsWith("deploy/istio/webhook/certificate.yaml"))
      .map(id)
      .sort(),
    "every resource but certificate.yaml's (cert-manager's, applied on its own)",
  );
});
