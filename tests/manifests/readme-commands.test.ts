// The README's deploy steps name the files and commands the local Istio chain runs (scripts/istio/deploy.ts):
// the apply step per overlay, each patch file's command, the webhook's. Nothing here runs README text.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { applyArgs, DELETE_PLUGIN_ARGS, LABEL_ARGS, PATCHES, type PatchName, patchArgs } from "../../scripts/istio/deploy.ts";
import { FLAVOURS } from "../../scripts/istio/kustomize.ts";
import { REPO_ROOT } from "../../scripts/lib/paths.ts";

const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
const mentions = (command: string) => assert.ok(README.includes(command), `README.md does not show \`${command}\``);

test("the README shows the apply step of each overlay and of the webhook", () => {
  mentions(`kubectl ${LABEL_ARGS.join(" ")}`);
  for (const flavour of FLAVOURS) mentions(`kubectl ${applyArgs(flavour).join(" ")}`);
  mentions("kubectl apply -k deploy/istio/webhook");
});

test("the README shows the command of each patch file, and the plugin's removal", () => {
  for (const name of Object.keys(PATCHES) as PatchName[]) mentions(`kubectl ${patchArgs(name).join(" ")}`);
  mentions(`kubectl ${DELETE_PLUGIN_ARGS.join(" ")}`);
});

test("every deploy/istio/ path the README names exists", () => {
  const paths = [...new Set(README.match(/deploy\/istio\/[\w./-]*[\w/]/g) ?? [])];
  assert.ok(paths.length >= 8, `only ${paths.length} deploy/istio/ paths in README.md`);
  assert.deepEqual(
    paths.filter((p) => !existsSync(join(REPO_ROOT, p))),
    [],
  );
});

test("the README fills in no file with sed: the images are the overlays' images:", () => {
  assert.deepEqual(
    README.split("\n").filter((l) => /\bsed\b.*(IMAGE|url:)|SAMPLE_APP_IMAGE|WEBHOOK_IMAGE/.test(l)),
    [],
  );
});
