// JSON text -> validated rules, or one error per problem, each naming its JSON path.
// The text is first checked for well-formedness (json-as aborts the VM on some malformed input),
// then read as untyped JSON.Value and checked field by field (reader.ts).
import { JSON } from "json-as";
import {
  MAX_CONFIG_BYTES, MAX_KEY_BYTES, MAX_MATCH_ENTRIES, MAX_NAME_BYTES, MAX_OVERRIDES, MAX_POLICIES, MAX_RULES, MAX_VALUE_BYTES,
} from "./limits";
import { ConfigReader, ROOT_PATH, describe } from "./reader";
import { asciiLowercase, hostPatternBytes, isPathPrefix, isToken } from "./http-syntax";
import { reservedHeaderReason } from "./reserved-headers";
import { JsonFields } from "./json-fields";
import { memberPath, quoteJson } from "./json-quote";
import { jsonSyntaxError } from "./json-syntax";
import { statsSegment } from "../metric-names";
import { HashVariant, KeySource, PluginConfig, RuleKey, RuleMatch, RuleOptions, RulePolicy, Tag, TaggingRule } from "../rules";
import { invalidUtf8Offset } from "./utf8";
import { PASS_THROUGH_FIELD, readPassThrough } from "./pass-through";
import { PassThrough } from "../pass-through";

const MAX_MODULO: f64 = <f64>u32.MAX_VALUE;
const TOP_LEVEL_FIELDS: string[] = ["rules", "debug", "passThrough"];
const RULE_FIELDS: string[] = [
  "name", "header", "cookie", "query", "modulo", "tagHeader", "policies", "partitionedPolicies",
  "match", "seed", "hash", "defaultTagValue", "overrides", "clientTag", "maxKeyBytes",
];
const POLICY_FIELDS: string[] = ["range", "tagValue"];
const PARTITIONED_POLICY_FIELDS: string[] = ["weight", "tagValue"];
const MATCH_FIELDS: string[] = ["hosts", "pathPrefixes"];
const DEBUG_FIELDS: string[] = ["enabled"];
// The key sources, in KeySource order: a rule has exactly one.
const KEY_FIELDS: string[] = ["header", "cookie", "query"];
// In HashVariant order.
const HASH_NAMES: string[] = ["fnv1a32", "fnv1a32-fmix32"];
const CLIENT_TAG_CHOICES: string[] = ["keep", "remove"];

/** The outcome of reading a configuration: a config when `errors` is empty, otherwise null. */
export class ConfigResult {
  constructor(readonly config: PluginConfig | null, readonly errors: string[]) {}
}

class PluginConfigReader extends ConfigReader {
  config(text: string): PluginConfig | null {
    if (text.trim().length == 0) {
      this.fail(ROOT_PATH, "is empty: expected a JSON object with a non-empty \"rules\" array");
      return null;
    }
    const size = String.UTF8.byteLength(text);
    if (size > MAX_CONFIG_BYTES) {
      this.fail(ROOT_PATH, "is " + size.toString() + " bytes: expected at most " + MAX_CONFIG_BYTES.toString());
      return null;
    }
    const syntaxError = jsonSyntaxError(text);
    if (syntaxError !== null) {
      this.fail(ROOT_PATH, syntaxError);
      return null;
    }
    const root = this.object(JSON.parse<JSON.Value>(text.trim()), ROOT_PATH, TOP_LEVEL_FIELDS);
    if (root === null) return null;

    let logDecisions = false;
    const debug = root.get("debug");
    if (debug !== null) logDecisions = this.debug(debug);

    let passThrough: PassThrough | null = null;
    const passThroughValue = root.get(PASS_THROUGH_FIELD);
    if (passThroughValue !== null) passThrough = readPassThrough(this, passThroughValue);

    // With a passThrough block, rules are optional: they decide only what it leaves undecided.
    const rulesValue = root.get("rules");
    if (rulesValue === null) {
      if (passThroughValue === null) this.fail("rules", "is required: expected a non-empty array of rules");
      return this.problems == 0 ? new PluginConfig(new StaticArray<TaggingRule>(0), logDecisions, passThrough) : null;
    }
    const items = this.array(rulesValue, "rules", MAX_RULES);
    if (items === null) return null;
    if (items.length == 0) this.fail("rules", "expected at least one rule, got an empty array");
    const rules = new StaticArray<TaggingRule>(items.length);
    // Names label the rule's counters: two rules with one label would share them.
    const ruleOfStatsName = new Map<string, i32>();
    for (let i = 0; i < items.length; i++) {
      const path = "rules[" + i.toString() + "]";
      const rule = this.rule(items[i], path, i);
      if (rule === null) continue;
      rules[i] = rule;
      const statsName = statsSegment(rule.name);
      if (ruleOfStatsName.has(statsName)) {
        const first = ruleOfStatsName.get(statsName);
        this.fail(path + ".name", "expected a name no other rule has (as a stats name, " + quoteJson(statsName) + " is also rules[" + first.toString() + "]'s), got " + quoteJson(rule.name));
      } else {
        ruleOfStatsName.set(statsName, i);
      }
    }
    return this.problems == 0 ? new PluginConfig(rules, logDecisions, passThrough) : null;
  }

  debug(value: JSON.Value): bool {
    const obj = this.object(value, "debug", DEBUG_FIELDS);
    if (obj === null) return false;
    const enabled = obj.get("enabled");
    if (enabled === null) return false;
    if (enabled.type != JSON.Types.Bool) {
      this.fail("debug.enabled", "expected true or false, got " + describe(enabled));
      return false;
    }
    return enabled.get<bool>();
  }

  rule(value: JSON.Value, path: string, index: i32): TaggingRule | null {
    const obj = this.object(value, path, RULE_FIELDS);
    if (obj === null) return null;
    const problemsBefore = this.problems;

    let name = "rule_" + index.toString();
    const nameValue = obj.get("name");
    if (nameValue !== null) {
      const text = this.text(nameValue, path + ".name", MAX_NAME_BYTES);
      if (text !== null) name = text;
    }

    const key = this.key(obj, path);
    const tagHeader = this.required(obj, "tagHeader", path) ? this.headerName(obj.get("tagHeader")!, path + ".tagHeader", MAX_NAME_BYTES) : null;
    const reserved: string | null = tagHeader === null ? null : reservedHeaderReason(tagHeader);
    if (reserved !== null) {
      this.fail(path + ".tagHeader", quoteJson(tagHeader!) + " " + reserved! + "; expected a header of the request's own, such as \"x-asm-prefer-tag\"");
    } else if (key !== null && tagHeader !== null && key.header == tagHeader) {
      this.fail(path + ".tagHeader", "expected a header other than the one the key is read from, " + quoteJson(tagHeader));
    }
    let modulo: i64 = -1;
    if (this.required(obj, "modulo", path)) modulo = this.integer(obj.get("modulo")!, path + ".modulo", 1, MAX_MODULO);

    const policies = this.anyPolicies(obj, path, modulo);
    const options = this.options(obj, path);

    if (this.problems != problemsBefore) return null;
    return new TaggingRule(name, key!, <u32>modulo, tagHeader!, policies!, options);
  }

  /** The rule's one key source: `header`, `cookie` or `query`. */
  key(obj: JsonFields, path: string): RuleKey | null {
    let source = -1;
    for (let i = 0; i < KEY_FIELDS.length; i++) {
      if (!obj.has(KEY_FIELDS[i])) continue;
      if (source >= 0) {
        this.fail(path + "." + KEY_FIELDS[i], "expected one key source, got \"" + KEY_FIELDS[source] + "\" too");
        return null;
      }
      source = i;
    }
    if (source < 0) {
      this.fail(path + ".header", "is required (or \"cookie\" or \"query\" instead)");
      return null;
    }
    const field = KEY_FIELDS[source];
    const value = obj.get(field)!;
    const fieldPath = path + "." + field;
    if (source == KeySource.Header) {
      const header = this.headerName(value, fieldPath, MAX_NAME_BYTES);
      return header === null ? null : new RuleKey(KeySource.Header, header);
    }
    if (source == KeySource.Cookie) {
      const cookie = this.string(value, fieldPath);
      if (cookie === null) return null;
      if (!isToken(cookie)) {
        this.fail(fieldPath, "expected a cookie name (letters, digits, !#$%&'*+-.^_`|~; case-sensitive), got " + describe(value));
        return null;
      }
      return this.withinBytes(cookie, fieldPath, MAX_NAME_BYTES) ? new RuleKey(KeySource.Cookie, cookie) : null;
    }
    const parameter = this.text(value, fieldPath, MAX_NAME_BYTES);
    return parameter === null ? null : new RuleKey(KeySource.Query, parameter);
  }

  /** `policies`, or `partitionedPolicies` turned into the same cumulative ranges: exactly one of them. */
  anyPolicies(obj: JsonFields, path: string, modulo: i64): StaticArray<RulePolicy> | null {
    const ranges = obj.get("policies");
    const weights = obj.get("partitionedPolicies");
    if (ranges !== null && weights !== null) {
      this.fail(path + ".partitionedPolicies", "expected either \"policies\" or \"partitionedPolicies\", got both");
      return null;
    }
    if (weights !== null) return this.policies(weights, path + ".partitionedPolicies", modulo, true);
    if (ranges !== null) return this.policies(ranges, path + ".policies", modulo, false);
    this.fail(path + ".policies", "is required (or \"partitionedPolicies\" instead)");
    return null;
  }

  /**
   * Policies in order, as cumulative ranges. With `weighted`, each item's `weight` is a count of
   * buckets following the previous item's; without, `range` is the cumulative bound itself. Bounds
   * check against modulo only when modulo itself was valid (>= 1).
   */
  policies(value: JSON.Value, path: string, modulo: i64, weighted: bool): StaticArray<RulePolicy> | null {
    const items = this.array(value, path, MAX_POLICIES);
    if (items === null) return null;
    if (items.length == 0) {
      this.fail(path, "expected at least one policy, got an empty array");
      return null;
    }
    const maxRange: i64 = modulo >= 1 ? modulo : <i64>MAX_MODULO;
    const amountField = weighted ? "weight" : "range";
    const policies = new StaticArray<RulePolicy>(items.length);
    let previousRange: i64 = 0;
    let ok = true;
    for (let i = 0; i < items.length; i++) {
      const itemPath = path + "[" + i.toString() + "]";
      const obj = this.object(items[i], itemPath, weighted ? PARTITIONED_POLICY_FIELDS : POLICY_FIELDS);
      if (obj === null) {
        ok = false;
        continue;
      }
      let range: i64 = -1;
      if (this.required(obj, amountField, itemPath)) {
        const amountValue = obj.get(amountField)!;
        const amountPath = itemPath + "." + amountField;
        if (weighted) {
          const weight = this.integer(amountValue, amountPath, 0, <f64>maxRange);
          if (weight >= 0 && previousRange + weight > maxRange) {
            this.fail(amountPath, "expected at most " + (maxRange - previousRange).toString() + " (weights sum to at most modulo " + maxRange.toString() + "), got " + describe(amountValue));
          } else if (weight >= 0) {
            range = previousRange + weight;
          }
        } else {
          range = this.integer(amountValue, amountPath, 0, <f64>maxRange);
          if (range >= 0 && range < previousRange) {
            this.fail(amountPath, "expected at least the previous range " + previousRange.toString() + " (ranges never decrease), got " + describe(amountValue));
          }
        }
        if (range >= 0) previousRange = range;
      }
      let tagValue: string | null = null;
      if (this.required(obj, "tagValue", itemPath)) tagValue = this.tagValue(obj.get("tagValue")!, itemPath + ".tagValue", MAX_VALUE_BYTES);
      if (range < 0 || tagValue === null) {
        ok = false;
        continue;
      }
      policies[i] = new RulePolicy(<u32>range, tagValue);
    }
    return ok ? policies : null;
  }

  /** The optional fields; each left out keeps the reference's behaviour. */
  options(obj: JsonFields, path: string): RuleOptions {
    const options = new RuleOptions();
    const seed = obj.get("seed");
    if (seed !== null) options.seed = this.text(seed, path + ".seed", MAX_NAME_BYTES);
    const hash = obj.get("hash");
    if (hash !== null) options.hash = <HashVariant>max(0, this.choice(hash, path + ".hash", HASH_NAMES));
    const defaultTagValue = obj.get("defaultTagValue");
    if (defaultTagValue !== null) {
      const tag = this.tagValue(defaultTagValue, path + ".defaultTagValue", MAX_VALUE_BYTES);
      if (tag !== null) options.defaultTag = new Tag(tag);
    }
    const overrides = obj.get("overrides");
    if (overrides !== null) this.overrides(overrides, path + ".overrides", options);
    const clientTag = obj.get("clientTag");
    if (clientTag !== null) options.removeClientTag = this.choice(clientTag, path + ".clientTag", CLIENT_TAG_CHOICES) == 1;
    const match = obj.get("match");
    if (match !== null) options.match = this.match(match, path + ".match");
    const maxKeyBytes = obj.get("maxKeyBytes");
    if (maxKeyBytes !== null) options.maxKeyBytes = <u32>max<i64>(0, this.integer(maxKeyBytes, path + ".maxKeyBytes", 1, <f64>MAX_KEY_BYTES));
    return options;
  }

  /** `{"<key value>": "<tagValue>"}`: exact keys pinned to a tag before hashing. */
  overrides(value: JSON.Value, path: string, options: RuleOptions): void {
    const members = this.members(value, path);
    if (members === null) return;
    if (members.size > MAX_OVERRIDES) {
      this.fail(path, "expected at most " + MAX_OVERRIDES.toString() + " entries, got " + members.size.toString());
      return;
    }
    for (let i = 0; i < members.size; i++) {
      const key = members.names[i];
      const entryPath = memberPath(path, key);
      if (members.isRepeat(i)) {
        this.fail(entryPath, "appears more than once: expected each key once");
        continue;
      }
      if (key.length == 0) {
        this.fail(entryPath, "expected a non-empty key (an empty key counts as no key)");
        continue;
      }
      const tag = this.tagValue(members.values[i], entryPath, MAX_VALUE_BYTES);
      if (!this.withinBytes(key, entryPath, MAX_VALUE_BYTES) || tag === null) continue;
      options.overrideKeys.push(key);
      options.overrideTags.push(new Tag(tag));
    }
  }

  match(value: JSON.Value, path: string): RuleMatch | null {
    const obj = this.object(value, path, MATCH_FIELDS);
    if (obj === null) return null;
    let hosts: StaticArray<ArrayBuffer> | null = null;
    const hostsValue = obj.get("hosts");
    if (hostsValue !== null) hosts = this.matchList(hostsValue, path + ".hosts", true);
    let prefixes: StaticArray<ArrayBuffer> | null = null;
    const prefixesValue = obj.get("pathPrefixes");
    if (prefixesValue !== null) prefixes = this.matchList(prefixesValue, path + ".pathPrefixes", false);
    return new RuleMatch(hosts, prefixes);
  }

  /** `hosts` (in the form requests are compared in, see hostPatternBytes) or `pathPrefixes`, as bytes. */
  matchList(value: JSON.Value, path: string, isHosts: bool): StaticArray<ArrayBuffer> | null {
    const items = this.array(value, path, MAX_MATCH_ENTRIES);
    if (items === null) return null;
    const field = isHosts ? "hosts" : "pathPrefixes";
    if (items.length == 0) {
      this.fail(path, "expected at least one entry, got an empty array (leave \"" + field + "\" out to match every request)");
      return null;
    }
    const out = new StaticArray<ArrayBuffer>(items.length);
    let ok = true;
    for (let i = 0; i < items.length; i++) {
      const itemPath = path + "[" + i.toString() + "]";
      let text = this.string(items[i], itemPath);
      if (text === null) {
        ok = false;
        continue;
      }
      if (isHosts) text = asciiLowercase(text);
      const bytes = isHosts ? hostPatternBytes(text) : isPathPrefix(text) ? String.UTF8.encode(text) : null;
      if (bytes === null) {
        const expected = isHosts
          ? "expected a host name or IP address (IPv6 in brackets) without port, or \"*.\" and a domain"
          : "expected a path starting with \"/\" (visible ASCII, no spaces)";
        this.fail(itemPath, expected + ", got " + describe(items[i]));
        ok = false;
        continue;
      }
      if (!this.withinBytes(text, itemPath, isHosts ? MAX_NAME_BYTES : MAX_VALUE_BYTES)) {
        ok = false;
        continue;
      }
      out[i] = bytes;
    }
    return ok ? out : null;
  }
}

/** Reads a configuration: all of it is valid and returned, or none of it is, with every problem listed. */
export function parseConfig(text: string): ConfigResult {
  const reader = new PluginConfigReader();
  const config = reader.config(text);
  return new ConfigResult(reader.problems == 0 ? config : null, reader.lines());
}

/** Reads a configuration as the host delivers it: raw bytes that must be UTF-8 JSON. */
export function parseConfigBytes(bytes: ArrayBuffer): ConfigResult {
  if (bytes.byteLength > MAX_CONFIG_BYTES) {
    const errors = [ROOT_PATH + ": is " + bytes.byteLength.toString() + " bytes: expected at most " + MAX_CONFIG_BYTES.toString()];
    return new ConfigResult(null, errors);
  }
  const invalidAt = invalidUtf8Offset(changetype<usize>(bytes), bytes.byteLength);
  if (invalidAt >= 0) {
    const errors = [ROOT_PATH + ": invalid UTF-8 at byte " + invalidAt.toString() + ": expected UTF-8 JSON text"];
    return new ConfigResult(null, errors);
  }
  return parseConfig(String.UTF8.decode(bytes));
}
