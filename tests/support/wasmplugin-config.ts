import { find, loadManifests } from "./manifests.ts";

/** The WasmPlugin's pluginConfig as Istio hands it to the filter: JSON text. */
export function shippedPluginConfig(): Record<string, any> {
  return find(loadManifests(), "WasmPlugin", "hash-tagging", "istio-system").doc.spec.pluginConfig;
}

/** The README's ramp and roll-back edits: the canary policy's range set to `range`. */
export function withCanaryRange(config: Record<string, any>, range: number): Record<string, any> {
  const edited = structuredClone(config);
  edited.rules[0].policies[0].range = range;
  return edited;
}
