// Limits on a configuration, each refused with its path. They keep configure time bounded (every
// Envoy worker configures its own VM on every config push) and keep tags within what HTTP servers
// accept in one header line (nginx and Apache refuse lines over 8 KiB by default).

/** The configuration's JSON text, in bytes. */
export const MAX_CONFIG_BYTES: i32 = 1 << 20;
export const MAX_RULES: i32 = 1000;
/** Entries of `policies` or `partitionedPolicies`, per rule. */
export const MAX_POLICIES: i32 = 1000;
/** Entries of `overrides`, per rule. */
export const MAX_OVERRIDES: i32 = 10000;
/** Entries of `match.hosts` or `match.pathPrefixes`, per rule. */
export const MAX_MATCH_ENTRIES: i32 = 1000;
/** UTF-8 bytes of a name: rule name, header and tag header, cookie and query name, seed, host. */
export const MAX_NAME_BYTES: i32 = 256;
/** UTF-8 bytes of a value: tag values, override keys, path prefixes. */
export const MAX_VALUE_BYTES: i32 = 4096;
/** Error lines logged for one configuration; the rest are counted in a last line. */
export const MAX_ERRORS: i32 = 100;
/** The largest `maxKeyBytes`: Envoy takes at most 96 KiB of request headers. */
export const MAX_KEY_BYTES: i32 = 96 * 1024;
