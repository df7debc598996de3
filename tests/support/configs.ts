// Configurations shared by the test suites: the reference config is defined once, in the topology
// the testbeds also use.
import { pluginConfig, type ReferencePluginConfig } from "../../scripts/lib/envoy/topology.ts";

export { WALKTHROUGH_USERS } from "../../scripts/lib/envoy/topology.ts";

export const REFERENCE_CONFIG: ReferencePluginConfig = pluginConfig();

/** The reference config with the canary's range set to `canaryRange` (ramp 20 -> 50, roll back to 0). */
export function referenceConfigWithCanary(canaryRange: number): ReferencePluginConfig {
  return pluginConfig(canaryRange);
}

/** A config that uses every extension field, for fuzzing and the README's field tables. */
export const EXTENDED_CONFIG = {
  debug: { enabled: false },
  rules: [
    {
      name: "lanes",
      header: "x-user-id",
      modulo: 1000,
      tagHeader: "x-asm-prefer-tag",
      partitionedPolicies: [
        { weight: 200, tagValue: "s2" },
        { weight: 800, tagValue: "s1" },
      ],
      seed: "checkout-2024",
      hash: "fnv1a32-fmix32" as const,
      defaultTagValue: "s1",
      overrides: { jason: "s2", "qa-team": "s1" },
      clientTag: "remove" as const,
      match: { hosts: ["shop.example.com", "*.example.org", "[::1]", "127.0.0.1"], pathPrefixes: ["/api/", "/checkout"] },
    },
    { name: "by-cookie", cookie: "uid", modulo: 100, tagHeader: "x-cookie-lane", policies: [{ range: 50, tagValue: "a" }] },
    { name: "by-query", query: "uid", modulo: 100, tagHeader: "x-query-lane", policies: [{ range: 50, tagValue: "b" }], maxKeyBytes: 12 },
  ],
};

/** Pass-through configs that together use every field of the block, one per mode. */
export const PASS_THROUGH_CONFIGS = [
  {
    passThrough: { routeHeader: "x-asm-prefer-tag", traceHeader: "x-user-id", direction: "auto", slots: 8192, ttlSeconds: 60 },
    rules: REFERENCE_CONFIG.rules,
  },
  { passThrough: { routeHeader: "x-asm-prefer-tag", baggage: "lane", direction: "outbound" } },
];
