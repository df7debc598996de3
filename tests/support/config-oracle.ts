// An independent statement of DESIGN.md's config rules, used as the fuzzing oracle: a config the
// filter accepts must be valid here, and one valid here must be accepted.
/** The fields each level of the configuration accepts. */
export const CONFIG_FIELDS = {
  top: ["rules", "debug"],
  rule: ["name", "header", "modulo", "tagHeader", "policies"],
  policy: ["range", "tagValue"],
  debug: ["enabled"],
};

const HEADER_NAME = /^[a-z0-9!#$%&'*+\-.^_`|~]+$/;
const HEADER_VALUE = /^[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const hasOnly = (o: Record<string, unknown>, keys: string[]) => Object.keys(o).every((k) => keys.includes(k));
const isInt = (v: unknown, min: number, max: number) => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;

function isValidRule(rule: unknown): boolean {
  if (!isObject(rule) || !hasOnly(rule, CONFIG_FIELDS.rule)) return false;
  if ("name" in rule && (typeof rule.name !== "string" || rule.name === "")) return false;
  if (typeof rule.header !== "string" || !HEADER_NAME.test(rule.header)) return false;
  if (typeof rule.tagHeader !== "string" || !HEADER_NAME.test(rule.tagHeader) || rule.tagHeader === rule.header) return false;
  if (!isInt(rule.modulo, 1, 0xffffffff)) return false;
  const modulo = rule.modulo as number;
  if (!Array.isArray(rule.policies) || rule.policies.length === 0) return false;
  let previous = 0;
  for (const policy of rule.policies) {
    if (!isObject(policy) || !hasOnly(policy, CONFIG_FIELDS.policy)) return false;
    if (!isInt(policy.range, previous, modulo)) return false;
    previous = policy.range as number;
    if (typeof policy.tagValue !== "string" || !HEADER_VALUE.test(policy.tagValue)) return false;
  }
  return true;
}

export function isValidConfig(config: unknown): boolean {
  if (!isObject(config) || !hasOnly(config, CONFIG_FIELDS.top)) return false;
  if ("debug" in config) {
    const debug = config.debug;
    if (!isObject(debug) || !hasOnly(debug, CONFIG_FIELDS.debug)) return false;
    if ("enabled" in debug && typeof debug.enabled !== "boolean") return false;
  }
  return Array.isArray(config.rules) && config.rules.length > 0 && config.rules.every(isValidRule);
}
