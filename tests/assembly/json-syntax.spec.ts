import { jsonSyntaxError } from "../../assembly/config/json-syntax";

function errorOf(text: string): string {
  const error = jsonSyntaxError(text);
  return error === null ? "<well-formed>" : error;
}

describe("jsonSyntaxError", () => {
  it("accepts well-formed JSON of every kind", () => {
    expect(errorOf(' {"a": [1, -2.5e+3, 0, true, false, null, "x\\u00e9\\n"], "b": {}} ')).toBe("<well-formed>");
    expect(errorOf("[]")).toBe("<well-formed>");
    expect(errorOf('"text"')).toBe("<well-formed>");
  });
  it("names the position and what was expected", () => {
    expect(errorOf("")).toBe("invalid JSON at character 0: expected a JSON value, found end of text");
    expect(errorOf('{"a" 1}')).toBe("invalid JSON at character 5: expected ':', found \"1\"");
    expect(errorOf("[1 2]")).toBe("invalid JSON at character 3: expected ',' or ']', found \"2\"");
    expect(errorOf('"abc')).toBe("invalid JSON at character 4: expected a closing '\"', found end of text");
    expect(errorOf('"a\tb"')).toBe("invalid JSON at character 2: expected an escaped control character, found \"\\t\"");
    expect(errorOf('"\\u12g4"')).toBe("invalid JSON at character 5: expected four hex digits after '\\u', found \"g\"");
    expect(errorOf("-")).toBe("invalid JSON at character 1: expected a digit, found end of text");
    expect(errorOf("1.")).toBe("invalid JSON at character 2: expected a digit, found end of text");
    expect(errorOf("1e+")).toBe("invalid JSON at character 3: expected a digit, found end of text");
    expect(errorOf("tru")).toBe("invalid JSON at character 0: expected 'true', found \"t\"");
    expect(errorOf("[nul]")).toBe("invalid JSON at character 1: expected 'null', found \"n\"");
    expect(errorOf("{'a':1}")).toBe("invalid JSON at character 1: expected a quoted member name, found \"'\"");
  });
  it("refuses nesting deeper than 64 levels at the 65th", () => {
    let ok = "";
    for (let i = 0; i < 64; i++) ok = "[" + ok + "]";
    expect(errorOf(ok)).toBe("<well-formed>");
    expect(errorOf("[" + ok + "]")).toBe("invalid JSON at character 64: expected at most 64 levels of nesting, found \"[\"");
  });
});
