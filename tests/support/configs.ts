// Configurations shared by the test suites: the reference config is defined once, in the topology
// the testbeds also use.
import { pluginConfig, type ReferencePluginConfig } from "../../src/envoy/topology.ts";

export { WALKTHROUGH_USERS } from "../../src/envoy/topology.ts";

export const REFERENCE_CONFIG: ReferencePluginConfig = pluginConfig();

/** The reference config with the canary's range set to `canaryRange` (ramp 20 -> 50, roll back to 0). */
export function referenceConfigWithCanary(canaryRange: number): ReferencePluginConfig {
  return pluginConfig(canaryRange);
}
