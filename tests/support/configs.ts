// Configurations shared by the test suites.
export const REFERENCE_CONFIG = {
  rules: [
    {
      header: "x-user-id",
      modulo: 100,
      tagHeader: "x-asm-prefer-tag",
      policies: [
        { range: 20, tagValue: "s2" },
        { range: 100, tagValue: "s1" },
      ],
    },
  ],
};

/** The reference config with the canary's range set to `canaryRange` (ramp 20 -> 50, roll back to 0). */
export function referenceConfigWithCanary(canaryRange: number): typeof REFERENCE_CONFIG {
  const config = structuredClone(REFERENCE_CONFIG);
  config.rules[0].policies[0].range = canaryRange;
  return config;
}

export const WALKTHROUGH_USERS = ["jason", "bob", "stacy", "jessie", "vance", "jack"];
