// JSON text -> validated rules, or one error per problem, each naming its JSON path.
// json-as typed parsing does not validate (wrong types become 0 or abort the VM), so the text is
// first checked for well-formedness, then read as untyped JSON.Value and checked field by field.
import { JSON } from "json-as";
import { isHeaderValue, isLowercaseHeaderName } from "./http-syntax";
import { memberPath, quoteJson } from "./json-quote";
import { jsonSyntaxError } from "./json-syntax";
import { statsSegment } from "./metric-names";
import { PluginConfig, RulePolicy, TaggingRule } from "./rules";
import { invalidUtf8Offset } from "./utf8";

// Problems with the text as a whole are reported under this name; top-level fields need no prefix.
const ROOT_PATH = "configuration";
const MAX_MODULO: f64 = <f64>u32.MAX_VALUE;
const TOP_LEVEL_FIELDS: string[] = ["rules", "debug"];
const RULE_FIELDS: string[] = ["name", "header", "modulo", "tagHeader", "policies"];
const POLICY_FIELDS: string[] = ["range", "tagValue"];
const DEBUG_FIELDS: string[] = ["enabled"];
// Fields of the reference schema this filter recognises but does not implement yet, with what to
// do instead: refusing them is safer than silently routing differently from what the operator wrote.
const UNSUPPORTED_RULE_FIELDS: string[] = ["match", "partitionedPolicies"];
const UNSUPPORTED_RULE_ADVICE: string[] = [
  "select the gateways to tag with the WasmPlugin's selector instead",
  "use \"policies\" with cumulative ranges instead",
];

/** The outcome of reading a configuration: a config when `errors` is empty, otherwise null. */
export class ConfigResult {
  constructor(readonly config: PluginConfig | null, readonly errors: string[]) {}
}

/** Integral numbers print as written in the config (100, not 100.0). */
function formatNumber(n: f64): string {
  return Math.floor(n) == n && Math.abs(n) < 9007199254740992 ? (<i64>n).toString() : n.toString();
}

/** A short, quoted description of a JSON value for error messages. */
function describe(value: JSON.Value): string {
  const type = value.type;
  if (type == JSON.Types.Null) return "null";
  if (type == JSON.Types.Bool) return value.get<bool>() ? "true" : "false";
  if (type == JSON.Types.F64) return "the number " + formatNumber(value.get<f64>());
  if (type == JSON.Types.String) {
    const text = value.get<string>();
    return "the string " + (text.length > 64 ? quoteJson(text.substr(0, 61)) + "..." : quoteJson(text));
  }
  if (type == JSON.Types.Array) return "an array";
  return "an object";
}

class ConfigReader {
  errors: string[] = [];

  fail(path: string, message: string): void {
    this.errors.push(path + ": " + message);
  }

  /**
   * The object at `path`, with repeated and unknown fields reported (`unsupported` ones are known but
   * reported by the caller), or null (reported) when it is not an object.
   */
  object(value: JSON.Value, path: string, fields: string[], unsupported: string[] = []): JSON.Obj | null {
    if (value.type != JSON.Types.Object) {
      this.fail(path, "expected an object, got " + describe(value));
      return null;
    }
    const obj = value.get<JSON.Obj>();
    const keys = obj.keys();
    const parent = path == ROOT_PATH ? "" : path;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (keys.indexOf(key) < i) {
        this.fail(memberPath(parent, key), "appears more than once: expected each field once");
      } else if (!fields.includes(key) && !unsupported.includes(key)) {
        this.fail(memberPath(parent, key), "unknown field (expected one of: " + fields.join(", ") + ")");
      }
    }
    return obj;
  }

  array(value: JSON.Value, path: string): JSON.Value[] | null {
    if (value.type != JSON.Types.Array) {
      this.fail(path, "expected an array, got " + describe(value));
      return null;
    }
    const items = value.get<JSON.Arr>();
    const out = new Array<JSON.Value>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = items.at(i);
    return out;
  }

  string(value: JSON.Value, path: string): string | null {
    if (value.type != JSON.Types.String) {
      this.fail(path, "expected a string, got " + describe(value));
      return null;
    }
    return value.get<string>();
  }

  /** An integer in min..max; Istio hands numbers over as doubles, so 100.0 counts as 100. */
  integer(value: JSON.Value, path: string, min: f64, max: f64): i64 {
    const expected = "expected an integer from " + (<u64>min).toString() + " to " + (<u64>max).toString();
    if (value.type != JSON.Types.F64) {
      this.fail(path, expected + ", got " + describe(value));
      return -1;
    }
    const n = value.get<f64>();
    if (!(n >= min && n <= max) || Math.floor(n) != n) {
      this.fail(path, expected + ", got " + describe(value));
      return -1;
    }
    return <i64>n;
  }

  headerName(value: JSON.Value, path: string): string | null {
    const name = this.string(value, path);
    if (name === null) return null;
    if (!isLowercaseHeaderName(name)) {
      this.fail(path, "expected a lowercase HTTP header name (letters a-z, digits, !#$%&'*+-.^_`|~; no pseudo-headers), got " + describe(value));
      return null;
    }
    return name;
  }

  config(text: string): PluginConfig | null {
    if (text.trim().length == 0) {
      this.fail(ROOT_PATH, "is empty: expected a JSON object with a non-empty \"rules\" array");
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

    const rulesValue = root.get("rules");
    if (rulesValue === null) {
      this.fail("rules", "is required: expected a non-empty array of rules");
      return null;
    }
    const items = this.array(rulesValue, "rules");
    if (items === null) return null;
    if (items.length == 0) this.fail("rules", "expected at least one rule, got an empty array");
    const rules = new StaticArray<TaggingRule>(items.length);
    const statsNames = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) {
      const rule = this.rule(items[i], "rules[" + i.toString() + "]", i);
      if (rule === null) continue;
      rules[i] = rule;
      // Names label the rule's counters: two rules with one label would share them.
      statsNames[i] = statsSegment(rule.name);
      const first = statsNames.indexOf(statsNames[i]);
      if (first < i) {
        this.fail("rules[" + i.toString() + "].name", "expected a name no other rule has (as a stats name, " + quoteJson(statsNames[i]) + " is also rules[" + first.toString() + "]'s), got " + quoteJson(rule.name));
      }
    }
    return this.errors.length == 0 ? new PluginConfig(rules, logDecisions) : null;
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
    const obj = this.object(value, path, RULE_FIELDS, UNSUPPORTED_RULE_FIELDS);
    if (obj === null) return null;
    const errorsBefore = this.errors.length;
    for (let i = 0; i < UNSUPPORTED_RULE_FIELDS.length; i++) {
      const field = UNSUPPORTED_RULE_FIELDS[i];
      if (obj.has(field)) this.fail(path + "." + field, "is not supported yet: " + UNSUPPORTED_RULE_ADVICE[i]);
    }

    let name = "rule_" + index.toString();
    const nameValue = obj.get("name");
    if (nameValue !== null) {
      const text = this.string(nameValue, path + ".name");
      if (text !== null && text.length == 0) this.fail(path + ".name", "expected a non-empty string, got an empty one");
      else if (text !== null) name = text;
    }

    const header = this.required(obj, "header", path) ? this.headerName(obj.get("header")!, path + ".header") : null;
    const tagHeader = this.required(obj, "tagHeader", path) ? this.headerName(obj.get("tagHeader")!, path + ".tagHeader") : null;
    if (header !== null && tagHeader !== null && header == tagHeader) {
      this.fail(path + ".tagHeader", "expected a header other than the hashed header " + quoteJson(header));
    }
    let modulo: i64 = -1;
    if (this.required(obj, "modulo", path)) modulo = this.integer(obj.get("modulo")!, path + ".modulo", 1, MAX_MODULO);

    let policies: StaticArray<RulePolicy> | null = null;
    if (this.required(obj, "policies", path)) policies = this.policies(obj.get("policies")!, path + ".policies", modulo);

    if (this.errors.length != errorsBefore) return null;
    return new TaggingRule(name, header!, <u32>modulo, tagHeader!, policies!);
  }

  required(obj: JSON.Obj, field: string, path: string): bool {
    if (obj.has(field)) return true;
    this.fail(path + "." + field, "is required");
    return false;
  }

  /** Policies in order; a range checks against modulo only when modulo itself was valid (>= 1). */
  policies(value: JSON.Value, path: string, modulo: i64): StaticArray<RulePolicy> | null {
    const items = this.array(value, path);
    if (items === null) return null;
    if (items.length == 0) {
      this.fail(path, "expected at least one policy, got an empty array");
      return null;
    }
    const maxRange: f64 = modulo >= 1 ? <f64>modulo : MAX_MODULO;
    const policies = new StaticArray<RulePolicy>(items.length);
    let previousRange: i64 = 0;
    let ok = true;
    for (let i = 0; i < items.length; i++) {
      const itemPath = path + "[" + i.toString() + "]";
      const obj = this.object(items[i], itemPath, POLICY_FIELDS);
      if (obj === null) {
        ok = false;
        continue;
      }
      let range: i64 = -1;
      if (this.required(obj, "range", itemPath)) {
        const rangeValue = obj.get("range")!;
        range = this.integer(rangeValue, itemPath + ".range", 0, maxRange);
        if (range >= 0 && range < previousRange) {
          this.fail(itemPath + ".range", "expected at least the previous range " + previousRange.toString() + " (ranges never decrease), got " + describe(rangeValue));
        }
        if (range >= 0) previousRange = range;
      }
      let tagValue: string | null = null;
      if (this.required(obj, "tagValue", itemPath)) {
        const tagValueJson = obj.get("tagValue")!;
        tagValue = this.string(tagValueJson, itemPath + ".tagValue");
        if (tagValue !== null && !isHeaderValue(tagValue)) {
          this.fail(itemPath + ".tagValue", "expected a non-empty header value (visible ASCII, inner spaces allowed), got " + describe(tagValueJson));
          tagValue = null;
        }
      }
      if (range < 0 || tagValue === null) {
        ok = false;
        continue;
      }
      policies[i] = new RulePolicy(<u32>range, tagValue);
    }
    return ok ? policies : null;
  }
}

/** Reads a configuration: all of it is valid and returned, or none of it is, with every problem listed. */
export function parseConfig(text: string): ConfigResult {
  const reader = new ConfigReader();
  const config = reader.config(text);
  return new ConfigResult(reader.errors.length == 0 ? config : null, reader.errors);
}

/** Reads a configuration as the host delivers it: raw bytes that must be UTF-8 JSON. */
export function parseConfigBytes(bytes: ArrayBuffer): ConfigResult {
  const invalidAt = invalidUtf8Offset(changetype<usize>(bytes), bytes.byteLength);
  if (invalidAt >= 0) {
    const errors = [ROOT_PATH + ": invalid UTF-8 at byte " + invalidAt.toString() + ": expected UTF-8 JSON text"];
    return new ConfigResult(null, errors);
  }
  return parseConfig(String.UTF8.decode(bytes));
}
