import { parseConfig } from "../../assembly/config";

const VALID = '{"rules":[{"header":"x-user-id","modulo":100,"tagHeader":"x-asm-prefer-tag","policies":[{"range":20,"tagValue":"s2"},{"range":100,"tagValue":"s1"}]}]}';

/** The config with `rules[0]` fields replaced by `ruleBody` (JSON object members). */
function withRule(ruleBody: string): string {
  return '{"rules":[{' + ruleBody + "}]}";
}
const BASE_RULE = '"header":"x-user-id","tagHeader":"x-asm-prefer-tag"';
const BASE_POLICIES = '"policies":[{"range":20,"tagValue":"s2"},{"range":100,"tagValue":"s1"}]';

function errorsOf(text: string): string {
  const result = parseConfig(text);
  expect(result.config === null).toBe(true, "config should be refused: " + text);
  return result.errors.join("\n");
}

describe("parseConfig accepts", () => {
  it("the reference WasmPlugin pluginConfig", () => {
    const result = parseConfig(VALID);
    expect(result.errors.length).toBe(0);
    const rule = result.config!.rules[0];
    expect(rule.name).toBe("rule_0");
    expect(rule.header).toBe("x-user-id");
    expect(rule.modulo).toBe(100);
    expect(rule.tagHeader).toBe("x-asm-prefer-tag");
    expect(rule.policies.length).toBe(2);
    expect(rule.policies[0].range).toBe(20);
    expect(rule.policies[1].tagValue).toBe("s1");
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
  it("unknown fields, at every level", () => {
    expect(errorsOf('{"rule":[]}')).toBe("rule: unknown field (expected one of: rules, debug)\nrules: is required: expected a non-empty array of rules");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"modolu":1,' + BASE_POLICIES))).toBe("rules[0].modolu: unknown field (expected one of: name, header, modulo, tagHeader, policies)");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":20,"tagValue":"s2","weight":1}]'))).toBe("rules[0].policies[0].weight: unknown field (expected one of: range, tagValue)");
    expect(errorsOf('{"debug":{"on":true},' + VALID.substr(1))).toBe("debug.on: unknown field (expected one of: enabled)");
  });
  it("unknown fields with odd names, quoted so that they cannot forge log lines", () => {
    expect(errorsOf('{"ru-les\\r\\n":1,' + VALID.substr(1))).toBe('["ru-les\\\\r\\\\n"]: unknown field (expected one of: rules, debug)');
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"":1,' + BASE_POLICIES))).toBe('rules[0][""]: unknown field (expected one of: name, header, modulo, tagHeader, policies)');
  });
  it("a field given twice (JSON parsers disagree on which one wins)", () => {
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"modulo":100,' + BASE_POLICIES))).toBe("rules[0].modulo: appears more than once: expected each field once");
  });
  it("nesting deeper than 64 levels, before any parser recurses into it", () => {
    let deep = "";
    for (let i = 0; i < 10000; i++) deep += "[";
    expect(errorsOf(deep)).toBe('configuration: invalid JSON at character 64: expected at most 64 levels of nesting, found "["');
  });
  it("reference fields not implemented yet", () => {
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"match":{},' + BASE_POLICIES))).toBe("rules[0].match: is not supported yet: select the gateways to tag with the WasmPlugin's selector instead");
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"partitionedPolicies":[],' + BASE_POLICIES))).toBe('rules[0].partitionedPolicies: is not supported yet: use "policies" with cumulative ranges instead');
  });
  it("missing required rule fields, all at once", () => {
    expect(errorsOf(withRule(""))).toBe("rules[0].header: is required\nrules[0].tagHeader: is required\nrules[0].modulo: is required\nrules[0].policies: is required");
  });
  it("header names that are not lowercase tokens", () => {
    const expected = "expected a lowercase HTTP header name (letters a-z, digits, !#$%&'*+-.^_`|~; no pseudo-headers), got ";
    expect(errorsOf(withRule('"header":"X-User-Id","tagHeader":"x-asm-prefer-tag","modulo":100,' + BASE_POLICIES))).toBe('rules[0].header: ' + expected + 'the string "X-User-Id"');
    expect(errorsOf(withRule('"header":":authority","tagHeader":"x-asm-prefer-tag","modulo":100,' + BASE_POLICIES))).toBe('rules[0].header: ' + expected + 'the string ":authority"');
    expect(errorsOf(withRule('"header":"x-user-id","tagHeader":"x tag","modulo":100,' + BASE_POLICIES))).toBe('rules[0].tagHeader: ' + expected + 'the string "x tag"');
    expect(errorsOf(withRule('"header":"","tagHeader":"x-asm-prefer-tag","modulo":100,' + BASE_POLICIES))).toBe('rules[0].header: ' + expected + 'the string ""');
    expect(errorsOf(withRule('"header":null,"tagHeader":{},"modulo":100,' + BASE_POLICIES))).toBe("rules[0].header: expected a string, got null\nrules[0].tagHeader: expected a string, got an object");
  });
  it("a tag header equal to the hashed header", () => {
    expect(errorsOf(withRule('"header":"x-user-id","tagHeader":"x-user-id","modulo":100,' + BASE_POLICIES))).toBe('rules[0].tagHeader: expected a header other than the hashed header "x-user-id"');
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
  it("tag values that are not header values", () => {
    const expected = "expected a non-empty header value (visible ASCII, inner spaces allowed), got ";
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":20,"tagValue":""}]'))).toBe("rules[0].policies[0].tagValue: " + expected + 'the string ""');
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":20,"tagValue":"s2\\r\\nx-injected: 1"}]'))).toBe("rules[0].policies[0].tagValue: " + expected + 'the string "s2\\r\\nx-injected: 1"');
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":20,"tagValue":" s2"}]'))).toBe("rules[0].policies[0].tagValue: " + expected + 'the string " s2"');
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":20,"tagValue":"\\u00e9"}]'))).toBe("rules[0].policies[0].tagValue: " + expected + 'the string "\u00e9"');
    expect(errorsOf(withRule(BASE_RULE + ',"modulo":100,"policies":[{"range":20,"tagValue":2}]'))).toBe("rules[0].policies[0].tagValue: expected a string, got the number 2");
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
});
