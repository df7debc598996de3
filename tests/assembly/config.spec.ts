import { parseConfig } from "../../assembly/config/parser";
import { KeySource, TaggingRule } from "../../assembly/rules";

const VALID = '{"rules":[{"header":"x-user-id","modulo":100,"tagHeader":"x-asm-prefer-tag","policies":[{"range":20,"tagValue":"s2"},{"range":100,"tagValue":"s1"}]}]}';

/** The config with `rules[0]` fields replaced by `ruleBody` (JSON object members). */
function withRule(ruleBody: string): string {
  return '{"rules":[{' + ruleBody + "}]}";
}
const BASE_RULE = '"header":"x-user-id","tagHeader":"x-asm-prefer-tag"';
const BASE_POLICIES = '"policies":[{"range":20,"tagValue":"s2"},{"range":100,"tagValue":"s1"}]';
/** A valid rule plus `extra` members. */
function ruleWith(extra: string): string {
  return withRule(BASE_RULE + ',"modulo":100,' + BASE_POLICIES + "," + extra);
}
const HEADER_NAME_EXPECTED = "expected an HTTP header name (letters, digits, !#$%&'*+-.^_`|~; no pseudo-headers), got ";
const TAG_EXPECTED = "expected a non-empty header value (visible ASCII, inner spaces allowed), got ";

function errorsOf(text: string): string {
  const result = parseConfig(text);
  expect(result.config === null).toBe(true, "config should be refused: " + text);
  return result.errors.join("\n");
}

function accepted(text: string): TaggingRule {
  const result = parseConfig(text);
  expect(result.errors.join("; ")).toBe("");
  return result.config!.rules[0];
}

/** The ranges of a rule's policies, comma-separated. */
function rangesOf(rule: TaggingRule): string {
  const out = new Array<string>();
  for (let i = 0; i < rule.policies.length; i++) out.push(rule.policies[i].range.toString() + ":" + rule.policies[i].tagValue);
  return out.join(",");
}

function decoded(bytes: ArrayBuffer): string {
  return String.UTF8.decode(bytes);
}

describe("parseConfig accepts", () => {
  it("the reference WasmPlugin pluginConfig, with every optional field at its default", () => {
    const result = parseConfig(VALID);
    expect(result.errors.length).toBe(0);
    const rule = result.config!.rules[0];
    expect(rule.name).toBe("rule_0");
    expect(rule.key.source).toBe(KeySource.Header);
    expect(rule.key.name).toBe("x-user-id");
    expect(rule.modulo).toBe(100);
    expect(rule.tagHeader).toBe("x-asm-prefer-tag");
    expect(rule.policies.length).toBe(2);
    expect(rule.policies[0].range).toBe(20);
    expect(rule.policies[1].tagValue).toBe("s1");
    expect(rule.hashStart).toBe(0x811c9dc5);
    expect(rule.fmix).toBe(false);
    expect(rule.defaultTag === null).toBe(true);
    expect(rule.overrides === null).toBe(true);
    expect(rule.removeClientTag).toBe(false);
    expect(rule.match === null).toBe(true);
    expect(result.config!.logDecisions).toBe(false);
  });
  it("name, debug, range 0, equal ranges, 100.0 as an integer, and surrounding whitespace", () => {
    const result = parseConfig(' \n{"debug":{"enabled":true},"rules":[{"name":"canary","header":"x-user-id","modulo":100.0,"tagHeader":"x-asm-prefer-tag","policies":[{"range":0,"tagValue":"s2"},{"range":0,"tagValue":"s3"},{"range":100,"tagValue":"s1"}]}]}\t');
    expect(result.errors.join("; ")).toBe("");
    expect(result.config!.rules[0].name).toBe("canary");
    expect(result.config!.logDecisions).toBe(true);
  });
  it("several rules, kept in order", () => {
    const result = parseConfig('{"rules":[{' + BASE_RULE + ',"modulo":10,"policies":[{"range":2,"tagValue":"s2"},{"range":10,"tagValue":"s1"}]},{"header":"x-tenant","tagHeader":"x-tenant-lane","modulo":2,"policies":[{"range":1,"tagValue":"a b"}]}]}');
    expect(result.errors.join("; ")).toBe("");
    expect(result.config!.rules.length).toBe(2);
    expect(result.config!.rules[1].policies[0].tagValue).toBe("a b");
  });
  it("header names in any case, lowercased as Envoy does", () => {
    const rule = accepted(withRule('"header":"X-User-Id","tagHeader":"X-ASM-Prefer-Tag","modulo":100,' + BASE_POLICIES));
    expect(rule.key.name).toBe("x-user-id");
    expect(decoded(rule.headerBytes)).toBe("x-user-id");
    expect(rule.tagHeader).toBe("x-asm-prefer-tag");
    expect(decoded(rule.tagHeaderBytes)).toBe("x-asm-prefer-tag");
  });
  it("partitionedPolicies as the same cumulative ranges as policies", () => {
    const rule = accepted(withRule(BASE_RULE + ',"modulo":100,"partitionedPolicies":[{"weight":20,"tagValue":"s2"},{"weight":80,"tagValue":"s1"}]'));
    expect(rangesOf(rule)).toBe("20:s2,100:s1");
    expect(rangesOf(accepted(withRule(BASE_RULE + ',"modulo":10,"partitionedPolicies":[{"weight":0,"tagValue":"a"},{"weight":3,"tagValue":"b"},{"weight":0,"tagValue":"c"},{"weight":5,"tagValue":"d"}]')))).toBe("0:a,3:b,3:c,8:d");
    expect(rangesOf(accepted(withRule(BASE_RULE + ',"modulo":4294967295,"partitionedPolicies":[{"weight":4294967295,"tagValue":"all"}]')))).toBe("4294967295:all");
  });
  it("a cookie or a query parameter as the key", () => {
    const cookie = accepted(withRule('"cookie":"uid","tagHeader":"x-tag","modulo":100,' + BASE_POLICIES));
    expect(cookie.key.source).toBe(KeySource.Cookie);
    expect(cookie.key.name).toBe("uid");
    expect(decoded(cookie.headerBytes)).toBe("cookie");
    expect(accepted(withRule('"cookie":"UserID","tagHeader":"x-tag","modulo":100,' + BASE_POLICIES)).key.name).toBe("UserID");
    const query = accepted(withRule('"query":"user id","tagHeader":"x-tag","modulo":100,' + BASE_POLICIES));
    expect(query.key.source).toBe(KeySource.Query);
    expect(decoded(query.key.nameBytes)).toBe("user id");
    expect(decoded(query.headerBytes)).toBe(":path");
  });
  it("seed, hash, defaultTagValue, clientTag", () => {
    const rule = accepted(ruleWith('"seed":"exp-1","hash":"fnv1a32-fmix32","defaultTagValue":"s1","clientTag":"remove"'));
    // FNV-1a state after "exp-1:" (tests/support/fnv1a.ts: FNV-1a("exp-1:") is this state).
    expect(rule.hashStart).not.toBe(0x811c9dc5);
    expect(rule.fmix).toBe(true);
    expect(rule.defaultTag!.value).toBe("s1");
    expect(rule.removeClientTag).toBe(true);
    const keep = accepted(ruleWith('"hash":"fnv1a32","clientTag":"keep"'));
    expect(keep.fmix).toBe(false);
    expect(keep.removeClientTag).toBe(false);
  });
  it("overrides, with escaped keys decoded", () => {
    const rule = accepted(ruleWith('"overrides":{"jason":"s2","jos\\u00e9":"s1","a\\"b":"s3"}'));
    expect(rule.overrides!.tags.length).toBe(3);
    expect(decoded(rule.overrides!.keys.keys[1])).toBe("jos\u00e9");
    expect(decoded(rule.overrides!.keys.keys[2])).toBe('a"b');
    expect(rule.overrides!.tags[0].value).toBe("s2");
    expect(accepted(ruleWith('"overrides":{}')).overrides === null).toBe(true);
  });
  it("match, hosts lowercased and *. entries kept as suffixes", () => {
    const rule = accepted(ruleWith('"match":{"hosts":["Shop.Example.com","*.example.org","10.0.0.1","[::1]"],"pathPrefixes":["/api/","/"]}'));
    const hosts = rule.match!.hosts!;
    expect(decoded(hosts[0])).toBe("shop.example.com");
    expect(decoded(hosts[1])).toBe(".example.org");
    expect(decoded(rule.match!.pathPrefixes![0])).toBe("/api/");
    const onlyPaths = accepted(ruleWith('"match":{"pathPrefixes":["/x"]}'));
    expect(onlyPaths.match!.hosts === null).toBe(true);
    expect(accepted(ruleWith('"match":{}')).match!.pathPrefixes === null).toBe(true);
  });
  it("field names written with escapes", () => {
    expect(accepted(withRule('"head\\u0065r":"x-user-id","tagHeader":"x-tag","modulo":100,' + BASE_POLICIES)).key.name).toBe("x-user-id");
  });
});

describe("parseConfig refuses, naming the JSON path", () => {
  it("empty or blank text", () => {
    expect(errorsOf("")).toBe('configuration: is empty: expected a JSON object with a non-empty "rules" array');
    expect(errorsOf("  \n")).toBe('configuration: is empty: expected a JSON object with a non-empty "rules" array');
  });
  it("malformed JSON, with the character position", () => {
    expect(errorsOf('{"rules": [')).toBe("configuration: invalid JSON at character 11: expected a JSON value, found end of text");
    expect(errorsOf('{"rules": 1,}')).toBe("configuration: invalid JSON at character 12: expected a quoted member name, found \"}\"");
    expect(errorsOf("{} x")).toBe("configuration: invalid JSON at character 3: expected end of text, found \"x\"");
    expect(errorsOf('{"a":"\\q"}')).toBe("configuration: invalid JSON at character 7: expected a valid escape, found \"q\"");
    expect(errorsOf('{"a":01}')).toBe("configuration: invalid JSON at character 6: expected ',' or '}', found \"1\"");
  });
  it("a top level that is not an object", () => {
    expect(errorsOf("[1,2]")).toBe("configuration: expected an object, got an array");
    expect(errorsOf('"rules"')).toBe('configuration: expected an object, got the string "rules"');
    expect(errorsOf("null")).toBe("configuration: expected an object, got null");
  });
  it("missing, empty or mistyped rules", () => {
    expect(errorsOf("{}")).toBe("rules: is required: expected a non-empty array of rules");
    expect(errorsOf('{"rules":[]}')).toBe("rules: expected at least one rule, got an empty array");
    expect(errorsOf('{"rules":5}')).toBe("rules: expected an array, got the number 5");
    expect(errorsOf('{"rules":["x"]}')).toBe('rules[0]: expected an object, got the string "x"');
  });
  it("unknown fields, at every level, naming the closest known one", () => {
    expect(errorsOf('{"rule":[]}')).toBe("rule: unknown field, did you mean \"rules\"? (expected one of: rules, debug, passThrough)\nrules: is required: expected a non-empty array of rules");
    const ruleFields = "name, header, cookie, query, modulo, tagHeader, policies, partitionedPolicies, match, seed, hash, defaultTagValue, overrides, clientTag, maxKeyBytes";
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"modolu":1,' + BASE_POLICIES))).toBe("rules[0].modolu: unknown field, did you mean \"modulo\"? (expected one of: " + ruleFields + ")");
    expect(errorsOf(ruleWith('"tagheader":"x"'))).toBe("rules[0].tagheader: unknown field, did you mean \"tagHeader\"? (expected one of: " + ruleFields + ")");
    expect(errorsOf(ruleWith('"defaultTag":"x"'))).toBe("rules[0].defaultTag: unknown field, did you mean \"defaultTagValue\"? (expected one of: " + ruleFields + ")");
    expect(errorsOf(ruleWith('"weight":1'))).toBe("rules[0].weight: unknown field (expected one of: " + ruleFields + ")");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":20,"tagValue":"s2","weight":1}]'))).toBe("rules[0].policies[0].weight: unknown field (expected one of: range, tagValue)");
    expect(errorsOf('{"debug":{"on":true},' + VALID.substr(1))).toBe("debug.on: unknown field (expected one of: enabled)");
    expect(errorsOf(ruleWith('"match":{"host":["a"]}'))).toBe("rules[0].match.host: unknown field, did you mean \"hosts\"? (expected one of: hosts, pathPrefixes)");
  });
  it("unknown fields with odd names, quoted so that they cannot forge log lines, long ones cut", () => {
    expect(errorsOf('{"ru-les\\r\\n":1,' + VALID.substr(1))).toBe('["ru-les\\r\\n"]: unknown field (expected one of: rules, debug, passThrough)');
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"":1,' + BASE_POLICIES))).toBe('rules[0][""]: unknown field (expected one of: name, header, cookie, query, modulo, tagHeader, policies, partitionedPolicies, match, seed, hash, defaultTagValue, overrides, clientTag, maxKeyBytes)');
    let long = "";
    for (let i = 0; i < 100; i++) long += "k";
    expect(errorsOf('{"' + long + '":1,' + VALID.substr(1))).toBe('["' + long.substr(0, 61) + '..."]: unknown field (expected one of: rules, debug, passThrough)');
  });
  it("a field given twice (JSON parsers disagree on which one wins), escapes decoded first", () => {
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"modulo":100,' + BASE_POLICIES))).toBe("rules[0].modulo: appears more than once: expected each field once");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"m\\u006fdulo":100,' + BASE_POLICIES))).toBe("rules[0].modulo: appears more than once: expected each field once");
    expect(errorsOf(ruleWith('"overrides":{"a":"s1","\\u0061":"s2"}'))).toBe("rules[0].overrides.a: appears more than once: expected each key once");
  });
  it("nesting deeper than 64 levels, before any parser recurses into it", () => {
    let deep = "";
    for (let i = 0; i < 10000; i++) deep += "[";
    expect(errorsOf(deep)).toBe('configuration: invalid JSON at character 64: expected at most 64 levels of nesting, found "["');
  });
  it("missing required rule fields, all at once", () => {
    expect(errorsOf(withRule(""))).toBe("rules[0].header: is required (or \"cookie\" or \"query\" instead)\nrules[0].tagHeader: is required\nrules[0].modulo: is required\nrules[0].policies: is required (or \"partitionedPolicies\" instead)");
  });
  it("header names that are not HTTP tokens", () => {
    expect(errorsOf(withRule('"header":":authority","tagHeader":"x-asm-prefer-tag","modulo":100,' + BASE_POLICIES))).toBe('rules[0].header: ' + HEADER_NAME_EXPECTED + 'the string ":authority"');
    expect(errorsOf(withRule('"header":"x-user-id","tagHeader":"x tag","modulo":100,' + BASE_POLICIES))).toBe('rules[0].tagHeader: ' + HEADER_NAME_EXPECTED + 'the string "x tag"');
    expect(errorsOf(withRule('"header":"","tagHeader":"x-asm-prefer-tag","modulo":100,' + BASE_POLICIES))).toBe('rules[0].header: ' + HEADER_NAME_EXPECTED + 'the string ""');
    expect(errorsOf(withRule('"header":null,"tagHeader":{},"modulo":100,' + BASE_POLICIES))).toBe("rules[0].header: expected a string, got null\nrules[0].tagHeader: expected a string, got an object");
  });
  it("a tag header equal to the header the key is read from, in any case", () => {
    expect(errorsOf(withRule('"header":"x-user-id","tagHeader":"X-User-Id","modulo":100,' + BASE_POLICIES))).toBe('rules[0].tagHeader: expected a header other than the one the key is read from, "x-user-id"');
    expect(errorsOf(withRule('"query":"uid","tagHeader":"X-Uid","header":"x","modulo":100,' + BASE_POLICIES)).length > 0).toBe(true);
    expect(errorsOf(withRule('"header":"x-user-id","tagHeader":"X-User-Id","modulo":100,' + BASE_POLICIES))).toBe('rules[0].tagHeader: expected a header other than the one the key is read from, "x-user-id"');
  });
  it("no key source, or more than one", () => {
    expect(errorsOf(withRule('"header":"x-user-id","cookie":"uid","tagHeader":"x-tag","modulo":100,' + BASE_POLICIES))).toBe('rules[0].cookie: expected one key source, got "header" too');
    expect(errorsOf(withRule('"query":"uid","cookie":"uid","tagHeader":"x-tag","modulo":100,' + BASE_POLICIES))).toBe('rules[0].query: expected one key source, got "cookie" too');
  });
  it("cookie and query names that cannot be", () => {
    expect(errorsOf(withRule('"cookie":"my uid","tagHeader":"x-tag","modulo":100,' + BASE_POLICIES))).toBe("rules[0].cookie: expected a cookie name (letters, digits, !#$%&'*+-.^_`|~; case-sensitive), got the string \"my uid\"");
    expect(errorsOf(withRule('"cookie":"","tagHeader":"x-tag","modulo":100,' + BASE_POLICIES))).toBe("rules[0].cookie: expected a cookie name (letters, digits, !#$%&'*+-.^_`|~; case-sensitive), got the string \"\"");
    expect(errorsOf(withRule('"query":"","tagHeader":"x-tag","modulo":100,' + BASE_POLICIES))).toBe("rules[0].query: expected a non-empty string, got an empty one");
    expect(errorsOf(withRule('"query":7,"tagHeader":"x-tag","modulo":100,' + BASE_POLICIES))).toBe("rules[0].query: expected a string, got the number 7");
  });
  it("a modulo that is not an integer >= 1", () => {
    const expected = "rules[0].modulo: expected an integer from 1 to 4294967295, got ";
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":0,"policies":[{"range":0,"tagValue":"s1"}]'))).toBe(expected + "the number 0");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":1.5,"policies":[{"range":1,"tagValue":"s1"}]'))).toBe(expected + "the number 1.5");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":"100",' + BASE_POLICIES))).toBe(expected + 'the string "100"');
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":true,' + BASE_POLICIES))).toBe(expected + "true");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":4294967296,' + BASE_POLICIES))).toBe(expected + "the number 4294967296");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":-3,' + BASE_POLICIES))).toBe(expected + "the number -3");
  });
  it("numbers in errors: up to six decimals, huge ones by magnitude", () => {
    const expected = "rules[0].modulo: expected an integer from 1 to 4294967295, got the number ";
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":0.1,' + BASE_POLICIES))).toBe(expected + "0.1");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":-2.05,' + BASE_POLICIES))).toBe(expected + "-2.05");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":99.9999999,' + BASE_POLICIES))).toBe(expected + "100 (rounded; not an integer)");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":1e300,' + BASE_POLICIES))).toBe(expected + "1e15 or more in magnitude");
  });
  it("ranges outside 0..modulo or decreasing", () => {
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":120,"tagValue":"s2"}]'))).toBe("rules[0].policies[0].range: expected an integer from 0 to 100, got the number 120");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":-1,"tagValue":"s2"}]'))).toBe("rules[0].policies[0].range: expected an integer from 0 to 100, got the number -1");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":50,"tagValue":"s2"},{"range":20,"tagValue":"s1"}]'))).toBe("rules[0].policies[1].range: expected at least the previous range 50 (ranges never decrease), got the number 20");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":"20","tagValue":"s2"}]'))).toBe('rules[0].policies[0].range: expected an integer from 0 to 100, got the string "20"');
  });
  it("empty, missing or mistyped policies", () => {
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[]'))).toBe("rules[0].policies: expected at least one policy, got an empty array");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":{}'))).toBe("rules[0].policies: expected an array, got an object");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{}]'))).toBe("rules[0].policies[0].range: is required\nrules[0].policies[0].tagValue: is required");
  });
  it("weights that are not integers >= 0, or sum past modulo, or both policy forms", () => {
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"partitionedPolicies":[{"weight":30,"tagValue":"s2"},{"weight":80,"tagValue":"s1"}]'))).toBe("rules[0].partitionedPolicies[1].weight: expected at most 70 (weights sum to at most modulo 100), got the number 80");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"partitionedPolicies":[{"weight":-1,"tagValue":"s2"}]'))).toBe("rules[0].partitionedPolicies[0].weight: expected an integer from 0 to 100, got the number -1");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"partitionedPolicies":[{"weight":2.5,"tagValue":"s2"}]'))).toBe("rules[0].partitionedPolicies[0].weight: expected an integer from 0 to 100, got the number 2.5");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"partitionedPolicies":[{"range":20,"tagValue":"s2"}]'))).toBe("rules[0].partitionedPolicies[0].range: unknown field (expected one of: weight, tagValue)\nrules[0].partitionedPolicies[0].weight: is required");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"partitionedPolicies":[]'))).toBe("rules[0].partitionedPolicies: expected at least one policy, got an empty array");
    expect(errorsOf(ruleWith('"partitionedPolicies":[{"weight":100,"tagValue":"s1"}]'))).toBe('rules[0].partitionedPolicies: expected either "policies" or "partitionedPolicies", got both');
  });
  it("tag values that are not header values", () => {
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":20,"tagValue":""}]'))).toBe("rules[0].policies[0].tagValue: " + TAG_EXPECTED + 'the string ""');
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":20,"tagValue":"s2\\r\\nx-injected: 1"}]'))).toBe("rules[0].policies[0].tagValue: " + TAG_EXPECTED + 'the string "s2\\r\\nx-injected: 1"');
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":20,"tagValue":" s2"}]'))).toBe("rules[0].policies[0].tagValue: " + TAG_EXPECTED + 'the string " s2"');
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":20,"tagValue":"\\u00e9"}]'))).toBe("rules[0].policies[0].tagValue: " + TAG_EXPECTED + 'the string "\u00e9"');
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":20,"tagValue":2}]'))).toBe("rules[0].policies[0].tagValue: expected a string, got the number 2");
    expect(errorsOf(ruleWith('"defaultTagValue":"a\\tb\\n"'))).toBe("rules[0].defaultTagValue: " + TAG_EXPECTED + 'the string "a\\tb\\n"');
    expect(errorsOf(ruleWith('"overrides":{"jason":""}'))).toBe("rules[0].overrides.jason: " + TAG_EXPECTED + 'the string ""');
  });
  it("seed, hash and clientTag outside their choices, with the closest one", () => {
    expect(errorsOf(ruleWith('"seed":""'))).toBe("rules[0].seed: expected a non-empty string, got an empty one");
    expect(errorsOf(ruleWith('"seed":1'))).toBe("rules[0].seed: expected a string, got the number 1");
    expect(errorsOf(ruleWith('"hash":"fnv1a"'))).toBe('rules[0].hash: expected one of "fnv1a32", "fnv1a32-fmix32", got the string "fnv1a" (did you mean "fnv1a32"?)');
    expect(errorsOf(ruleWith('"hash":"murmur3"'))).toBe('rules[0].hash: expected one of "fnv1a32", "fnv1a32-fmix32", got the string "murmur3"');
    expect(errorsOf(ruleWith('"clientTag":"Remove"'))).toBe('rules[0].clientTag: expected one of "keep", "remove", got the string "Remove" (did you mean "remove"?)');
    expect(errorsOf(ruleWith('"clientTag":false'))).toBe("rules[0].clientTag: expected a string, got false");
  });
  it("overrides that are not an object of non-empty keys", () => {
    expect(errorsOf(ruleWith('"overrides":["jason"]'))).toBe("rules[0].overrides: expected an object, got an array");
    expect(errorsOf(ruleWith('"overrides":{"":"s1"}'))).toBe('rules[0].overrides[""]: expected a non-empty key (an empty key counts as no key)');
    expect(errorsOf(ruleWith('"overrides":{"a b":2}'))).toBe('rules[0].overrides["a b"]: expected a string, got the number 2');
  });
  it("a match in another shape", () => {
    expect(errorsOf(ruleWith('"match":"shop.example.com"'))).toBe('rules[0].match: expected an object, got the string "shop.example.com"');
    expect(errorsOf(ruleWith('"match":{"hosts":"a.com"}'))).toBe('rules[0].match.hosts: expected an array, got the string "a.com"');
    expect(errorsOf(ruleWith('"match":{"hosts":[]}'))).toBe('rules[0].match.hosts: expected at least one entry, got an empty array (leave "hosts" out to match every request)');
    expect(errorsOf(ruleWith('"match":{"pathPrefixes":[]}'))).toBe('rules[0].match.pathPrefixes: expected at least one entry, got an empty array (leave "pathPrefixes" out to match every request)');
    const host = "expected a host name or IP address (IPv6 in brackets) without port, or \"*.\" and a domain, got ";
    expect(errorsOf(ruleWith('"match":{"hosts":["a.com:80"]}'))).toBe("rules[0].match.hosts[0]: " + host + 'the string "a.com:80"');
    expect(errorsOf(ruleWith('"match":{"hosts":["ok.com","*"]}'))).toBe("rules[0].match.hosts[1]: " + host + 'the string "*"');
    expect(errorsOf(ruleWith('"match":{"hosts":["a.*.com"]}'))).toBe("rules[0].match.hosts[0]: " + host + 'the string "a.*.com"');
    expect(errorsOf(ruleWith('"match":{"hosts":["a..com"]}'))).toBe("rules[0].match.hosts[0]: " + host + 'the string "a..com"');
    expect(errorsOf(ruleWith('"match":{"hosts":[7]}'))).toBe("rules[0].match.hosts[0]: expected a string, got the number 7");
    expect(errorsOf(ruleWith('"match":{"pathPrefixes":["api"]}'))).toBe('rules[0].match.pathPrefixes[0]: expected a path starting with "/" (visible ASCII, no spaces), got the string "api"');
    expect(errorsOf(ruleWith('"match":{"pathPrefixes":["/a b"]}'))).toBe('rules[0].match.pathPrefixes[0]: expected a path starting with "/" (visible ASCII, no spaces), got the string "/a b"');
  });
  it("a tag header that would change framing, routing or timing instead of labelling the request", () => {
    const reserved = ["content-length", "transfer-encoding", "host", "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "cookie", "x-envoy-upstream-rq-timeout-ms", "X-Envoy-Retry-On"];
    for (let i = 0; i < reserved.length; i++) {
      const errors = errorsOf(withRule('"header":"x-user-id","tagHeader":"' + reserved[i] + '","modulo":100,' + BASE_POLICIES));
      expect(errors.startsWith('rules[0].tagHeader: "' + reserved[i].toLowerCase() + '" ')).toBe(true);
      expect(errors.endsWith('; expected a header of the request\'s own, such as "x-asm-prefer-tag"')).toBe(true);
      expect(errors.indexOf("\n")).toBe(-1);
    }
    expect(errorsOf(withRule('"header":"x-user-id","tagHeader":"content-length","modulo":100,' + BASE_POLICIES))).toBe('rules[0].tagHeader: "content-length" is a message framing header: the upstream would wait for a body that never comes; expected a header of the request\'s own, such as "x-asm-prefer-tag"');
    expect(accepted(withRule('"header":"x-user-id","tagHeader":"x-envoyish","modulo":100,' + BASE_POLICIES)).tagHeader).toBe("x-envoyish");
  });
  it("host entries in other spellings, kept in one form", () => {
    const host = "expected a host name or IP address (IPv6 in brackets) without port, or \"*.\" and a domain, got ";
    expect(accepted(ruleWith('"match":{"hosts":["Shop.Example.com.","[0:0::1]","127.0.0.01"]}')).match!.hosts!.length).toBe(3);
    expect(errorsOf(ruleWith('"match":{"hosts":["[::1]x"]}'))).toBe("rules[0].match.hosts[0]: " + host + 'the string "[::1]x"');
    expect(errorsOf(ruleWith('"match":{"hosts":["[1::2::3]"]}'))).toBe("rules[0].match.hosts[0]: " + host + 'the string "[1::2::3]"');
  });
  it("a maxKeyBytes that is not a positive integer", () => {
    expect(accepted(ruleWith('"maxKeyBytes":256')).maxKeyBytes).toBe(256);
    expect(errorsOf(ruleWith('"maxKeyBytes":0'))).toBe("rules[0].maxKeyBytes: expected an integer from 1 to 98304, got the number 0");
    expect(errorsOf(ruleWith('"maxKeyBytes":"1k"'))).toBe('rules[0].maxKeyBytes: expected an integer from 1 to 98304, got the string "1k"');
  });
  it("two rules whose names give one stats name", () => {
    const rule = BASE_RULE + ',"modulo":100,' + BASE_POLICIES;
    expect(errorsOf('{"rules":[{"name":"a.b",' + rule + '},{"name":"a_b",' + rule + '}]}')).toBe('rules[1].name: expected a name no other rule has (as a stats name, "a_b" is also rules[0]\'s), got "a_b"');
    expect(errorsOf('{"rules":[{' + rule + '},{"name":"rule_0",' + rule + '}]}')).toBe('rules[1].name: expected a name no other rule has (as a stats name, "rule_0" is also rules[0]\'s), got "rule_0"');
  });
  it("a mistyped rule name or debug block", () => {
    expect(errorsOf(withRule('"name":7,' + BASE_RULE + ',"modulo":100,' + BASE_POLICIES))).toBe("rules[0].name: expected a string, got the number 7");
    expect(errorsOf(withRule('"name":"",' + BASE_RULE + ',"modulo":100,' + BASE_POLICIES))).toBe("rules[0].name: expected a non-empty string, got an empty one");
    expect(errorsOf('{"debug":true,' + VALID.substr(1))).toBe("debug: expected an object, got true");
    expect(errorsOf('{"debug":{"enabled":"yes"},' + VALID.substr(1))).toBe('debug.enabled: expected true or false, got the string "yes"');
  });
  it("every problem of every rule, in order", () => {
    const text = '{"rules":[{' + BASE_RULE + ',"modulo":0,' + BASE_POLICIES + '},{' + BASE_RULE + ',"modulo":100,"policies":[{"range":200,"tagValue":"s1"}]}]}';
    expect(errorsOf(text)).toBe("rules[0].modulo: expected an integer from 1 to 4294967295, got the number 0\nrules[1].policies[0].range: expected an integer from 0 to 100, got the number 200");
  });
  it("at most 100 error lines, then a count of the rest", () => {
    let members = "";
    for (let i = 0; i < 150; i++) members += '"x' + i.toString() + '":1,';
    const lines = errorsOf("{" + members + VALID.substr(1)).split("\n");
    expect(lines.length).toBe(101);
    expect(lines[99]).toBe("x99: unknown field (expected one of: rules, debug, passThrough)");
    expect(lines[100]).toBe("configuration: 50 more error(s) not listed");
  });
});

describe("parseConfig limits, each refused with its path", () => {
  it("the size of the whole configuration", () => {
    const pad = '"' + "x".repeat(1 << 20) + '"';
    expect(errorsOf('{"pad":' + pad + "}")).toBe("configuration: is " + (1048576 + 10).toString() + " bytes: expected at most 1048576");
  });
  it("names and values", () => {
    const name257 = "n".repeat(257);
    expect(errorsOf(withRule('"name":"' + name257 + '",' + BASE_RULE + ',"modulo":100,' + BASE_POLICIES))).toBe('rules[0].name: expected at most 256 bytes (UTF-8), got 257: "' + "n".repeat(61) + '"...');
    expect(accepted(withRule('"name":"' + "n".repeat(256) + '",' + BASE_RULE + ',"modulo":100,' + BASE_POLICIES)).name.length).toBe(256);
    expect(errorsOf(withRule('"header":"' + name257 + '","tagHeader":"x-tag","modulo":100,' + BASE_POLICIES))).toBe('rules[0].header: expected at most 256 bytes (UTF-8), got 257: "' + "n".repeat(61) + '"...');
    expect(errorsOf(ruleWith('"seed":"' + name257 + '"'))).toBe('rules[0].seed: expected at most 256 bytes (UTF-8), got 257: "' + "n".repeat(61) + '"...');
    const tag4097 = "t".repeat(4097);
    expect(errorsOf(ruleWith('"defaultTagValue":"' + tag4097 + '"'))).toBe('rules[0].defaultTagValue: expected at most 4096 bytes (UTF-8), got 4097: "' + "t".repeat(61) + '"...');
    expect(accepted(ruleWith('"defaultTagValue":"' + "t".repeat(4096) + '"')).defaultTag!.value.length).toBe(4096);
    expect(errorsOf(ruleWith('"overrides":{"' + tag4097 + '":"s1"}'))).toBe('rules[0].overrides["' + "t".repeat(61) + '..."]: expected at most 4096 bytes (UTF-8), got 4097: "' + "t".repeat(61) + '"...');
  });
  it("a member name longer than json-as can hold", () => {
    expect(errorsOf('{"' + "k".repeat(32769) + '":1}')).toBe("configuration: member name at character 1 is 32769 characters long: expected at most 32768");
  });
});
