// Configurations at the documented limits, each as large as the 1 MiB limit lets it be in one
// dimension: what a slow configure would show on. Used by scripts/bench/configure.ts (and checked accepted by the limits test).
import { CONFIG_LIMITS } from "./config-oracle.ts";
import { REFERENCE_CONFIG } from "./configs.ts";

type Rule = Record<string, unknown>;
const baseRule = (extra: Rule = {}): Rule => ({ ...REFERENCE_CONFIG.rules[0], ...extra });

/** `fill(i)` for i = 0.. as long as the config stays within the size limit. */
function fillUpTo(make: (count: number) => object, max: number): object {
  let low = 1;
  let high = max;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(JSON.stringify(make(mid))) <= CONFIG_LIMITS.configBytes) low = mid;
    else high = mid - 1;
  }
  return make(low);
}

const padded = (prefix: string, bytes: number) => prefix + "x".repeat(Math.max(0, bytes - prefix.length));

export const LIMIT_CONFIGS: Record<string, object> = {
  [`${CONFIG_LIMITS.rules} rules`]: {
    rules: Array.from({ length: CONFIG_LIMITS.rules }, (_, i) => baseRule({ name: padded(`r${i}-`, 200), seed: `s${i}` })),
  },
  [`${CONFIG_LIMITS.overrides} overrides (longest keys that fit)`]: fillUpTo(
    (keyBytes) => ({
      rules: [
        baseRule({
          overrides: Object.fromEntries(
            Array.from({ length: CONFIG_LIMITS.overrides }, (_, i) => [padded(`u${i}-`, keyBytes), i % 2 ? "s1" : "s2"]),
          ),
        }),
      ],
    }),
    CONFIG_LIMITS.valueBytes,
  ),
  [`${CONFIG_LIMITS.policies} policies per rule, as many rules as fit`]: fillUpTo(
    (rules) => ({
      rules: Array.from({ length: rules }, (_, r) =>
        baseRule({
          name: `r${r}`,
          modulo: 100000,
          policies: Array.from({ length: CONFIG_LIMITS.policies }, (_, i) => ({ range: i, tagValue: `t${i}` })),
        }),
      ),
    }),
    CONFIG_LIMITS.rules,
  ),
  [`${CONFIG_LIMITS.valueBytes}-byte tag values, as many as fit`]: fillUpTo(
    (count) => ({
      rules: [
        baseRule({
          modulo: 100000,
          policies: Array.from({ length: count }, (_, i) => ({ range: i, tagValue: padded(`t${i}-`, CONFIG_LIMITS.valueBytes) })),
        }),
      ],
    }),
    CONFIG_LIMITS.policies,
  ),
  [`${CONFIG_LIMITS.matchEntries} hosts and path prefixes, longest that fit`]: fillUpTo(
    (bytes) => ({
      rules: [
        baseRule({
          match: {
            hosts: Array.from(
              { length: CONFIG_LIMITS.matchEntries },
              (_, i) => padded(`h${i}.`, Math.min(bytes, CONFIG_LIMITS.nameBytes) - 4) + ".com",
            ),
            pathPrefixes: Array.from({ length: CONFIG_LIMITS.matchEntries }, (_, i) => padded(`/p${i}/`, bytes)),
          },
        }),
      ],
    }),
    CONFIG_LIMITS.valueBytes,
  ),
};
