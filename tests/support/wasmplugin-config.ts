import { fileManifests, find, SHIPPED_WASMPLUGIN } from "./manifests.ts";

/** The gateway WasmPlugin's pluginConfig as deploy/istio/base/ ships it (Istio hands it to the filter as JSON text). */
export function shippedPluginConfig(): Record<string, any> {
  return find(fileManifests(SHIPPED_WASMPLUGIN), "WasmPlugin", "hash-tagging", "istio-system").doc.spec.pluginConfig;
}

/** The ramp, promote and roll-back edits: the canary policy's range set to `range`. */
export function withCanaryRange(config: Record<string, any>, range: number): Record<string, any> {
  const edited = structuredClone(config);
  edited.rules[0].policies[0].range = range;
  return edited;
}
