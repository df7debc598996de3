import { JSON } from "json-as";
import { parseConfig } from "../../assembly/config/parser";
import { readPassThrough } from "../../assembly/config/pass-through";
import { ConfigReader } from "../../assembly/config/reader";
import { Direction, PassThrough, PassThroughMode } from "../../assembly/pass-through";

const TRACE = '"routeHeader":"x-asm-prefer-tag","traceHeader":"x-user-id"';
const BAGGAGE = '"routeHeader":"x-asm-prefer-tag","baggage":"lane"';

function read(body: string): ConfigReader {
  const reader = new ConfigReader();
  readPassThrough(reader, JSON.parse<JSON.Value>("{" + body + "}"));
  return reader;
}

function accepted(body: string): PassThrough {
  const reader = new ConfigReader();
  const block = readPassThrough(reader, JSON.parse<JSON.Value>("{" + body + "}"));
  expect(reader.lines().join("; ")).toBe("");
  return block!;
}

function errorsOf(body: string): string {
  const reader = new ConfigReader();
  const block = readPassThrough(reader, JSON.parse<JSON.Value>("{" + body + "}"));
  expect(block === null).toBe(true, "should be refused: " + body);
  return reader.lines().join("\n");
}

describe("passThrough accepts", () => {
  it("trace-id mode with the defaults", () => {
    const block = accepted(TRACE);
    expect(block.mode).toBe(PassThroughMode.TraceId);
    expect(block.routeHeader).toBe("x-asm-prefer-tag");
    expect(block.carrier).toBe("x-user-id");
    expect(block.direction).toBe(Direction.Auto);
    expect(block.slots).toBe(8192);
    expect(block.ttlSeconds).toBe(60);
    expect(block.ttlNanos).toBe(60_000_000_000);
    expect(block.keys !== null).toBe(true);
  });
  it("baggage mode, with no slots", () => {
    const block = accepted(BAGGAGE);
    expect(block.mode).toBe(PassThroughMode.Baggage);
    expect(block.carrier).toBe("lane");
    expect(block.keys === null).toBe(true);
  });
  it("every field at its limits, header names lowercased, member names kept", () => {
    const block = accepted('"routeHeader":"X-Lane","traceHeader":"X-User-Id","direction":"outbound","slots":1048576,"ttlSeconds":86400');
    expect(block.routeHeader).toBe("x-lane");
    expect(block.carrier).toBe("x-user-id");
    expect(block.direction).toBe(Direction.Outbound);
    expect(block.slots).toBe(1048576);
    expect(block.ttlSeconds).toBe(86400);
    expect(accepted('"routeHeader":"x-lane","traceHeader":"x-user-id","slots":1,"ttlSeconds":1.0,"direction":"inbound"').slots).toBe(1);
    expect(accepted('"routeHeader":"x-lane","baggage":"Lane.Tag"').carrier).toBe("Lane.Tag");
  });
});

describe("passThrough refuses, with the path", () => {
  it("a block that is not an object, or has unknown or repeated fields", () => {
    const reader = new ConfigReader();
    expect(readPassThrough(reader, JSON.parse<JSON.Value>("[]")) === null).toBe(true);
    expect(reader.lines().join("\n")).toBe("passThrough: expected an object, got an array");
    expect(errorsOf(TRACE + ',"slot":5')).toBe('passThrough.slot: unknown field, did you mean "slots"? (expected one of: routeHeader, traceHeader, baggage, direction, slots, ttlSeconds)');
    expect(errorsOf(TRACE + ',"routeHeader":"x-b"')).toBe("passThrough.routeHeader: appears more than once: expected each field once");
  });
  it("a missing routeHeader, or neither or both modes", () => {
    expect(errorsOf('"traceHeader":"x-user-id"')).toBe("passThrough.routeHeader: is required");
    expect(errorsOf('"routeHeader":"x-lane"')).toBe('passThrough.traceHeader: is required (or "baggage" instead, for baggage mode)');
    expect(errorsOf(TRACE + ',"baggage":"lane"')).toBe('passThrough.baggage: expected either "traceHeader" (trace-id mode) or "baggage" (baggage mode), got both');
  });
  it("header names that are no HTTP tokens", () => {
    const expected = "expected an HTTP header name (letters, digits, !#$%&'*+-.^_`|~; no pseudo-headers), got ";
    expect(errorsOf('"routeHeader":":path","traceHeader":"x-user-id"')).toBe("passThrough.routeHeader: " + expected + 'the string ":path"');
    expect(errorsOf('"routeHeader":"x-lane","traceHeader":"x user"')).toBe("passThrough.traceHeader: " + expected + 'the string "x user"');
    expect(errorsOf('"routeHeader":5,"traceHeader":""')).toBe("passThrough.routeHeader: expected a string, got the number 5\npassThrough.traceHeader: " + expected + 'the string ""');
  });
  it("a routeHeader the proxy owns: framing, hop-by-hop, host, cookie, x-envoy-*", () => {
    const reserved = ["content-length", "Transfer-Encoding", "host", "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "cookie", "x-envoy-original-path", "X-Envoy-Lane"];
    for (let i = 0; i < reserved.length; i++) {
      const errors = errorsOf('"routeHeader":"' + reserved[i] + '","traceHeader":"x-user-id"');
      expect(errors.startsWith('passThrough.routeHeader: "' + reserved[i].toLowerCase() + '" ')).toBe(true, errors);
      expect(errors.endsWith("; expected a header of the request's own, such as \"x-asm-prefer-tag\"")).toBe(true, errors);
      expect(errors.split("\n").length).toBe(1);
    }
    accepted('"routeHeader":"x-envoyish","traceHeader":"x-user-id"');
  });
  it("the same header for the lane and the trace, or baggage as the route header in baggage mode", () => {
    expect(errorsOf('"routeHeader":"x-user-id","traceHeader":"X-User-Id"')).toBe('passThrough.traceHeader: expected a header other than routeHeader "x-user-id"');
    expect(errorsOf('"routeHeader":"baggage","baggage":"lane"')).toBe('passThrough.routeHeader: expected a header other than "baggage", which carries the lane in baggage mode');
  });
  it("a baggage member name outside the W3C grammar", () => {
    const expected = "expected a baggage member name (letters, digits, !#$%&'*+-.^_`|~; case-sensitive), got ";
    expect(errorsOf('"routeHeader":"x-lane","baggage":"la ne"')).toBe("passThrough.baggage: " + expected + 'the string "la ne"');
    expect(errorsOf('"routeHeader":"x-lane","baggage":"lane=x"')).toBe("passThrough.baggage: " + expected + 'the string "lane=x"');
    expect(errorsOf('"routeHeader":"x-lane","baggage":""')).toBe("passThrough.baggage: " + expected + 'the string ""');
    expect(errorsOf('"routeHeader":"x-lane","baggage":true')).toBe("passThrough.baggage: expected a string, got true");
  });
  it("slots and ttlSeconds out of range, or in baggage mode", () => {
    expect(errorsOf(TRACE + ',"slots":0,"ttlSeconds":86401')).toBe("passThrough.slots: expected an integer from 1 to 1048576, got the number 0\npassThrough.ttlSeconds: expected an integer from 1 to 86400, got the number 86401");
    expect(errorsOf(TRACE + ',"slots":1.5')).toBe("passThrough.slots: expected an integer from 1 to 1048576, got the number 1.5");
    expect(errorsOf(TRACE + ',"slots":"8192"')).toBe('passThrough.slots: expected an integer from 1 to 1048576, got the string "8192"');
    expect(errorsOf(BAGGAGE + ',"slots":8192,"ttlSeconds":60')).toBe('passThrough.slots: applies to trace-id mode only ("traceHeader"), not to "baggage"\npassThrough.ttlSeconds: applies to trace-id mode only ("traceHeader"), not to "baggage"');
  });
  it("an unknown direction, with the closest one", () => {
    expect(errorsOf(TRACE + ',"direction":"inbond"')).toBe('passThrough.direction: expected one of "auto", "inbound", "outbound", got the string "inbond" (did you mean "inbound"?)');
  });
  it("every problem at once", () => {
    expect(read('"routeHeader":"host","traceHeader":"a b","direction":1,"slots":-1').problems).toBe(4);
  });
});

describe("parseConfig with a passThrough block", () => {
  it("needs no rules, and takes them as the fallback", () => {
    const alone = parseConfig("{\"passThrough\":{" + TRACE + "}}");
    expect(alone.errors.join("; ")).toBe("");
    expect(alone.config!.rules.length).toBe(0);
    expect(alone.config!.passThrough!.carrier).toBe("x-user-id");
    const withRules = parseConfig("{\"passThrough\":{" + BAGGAGE + "},\"rules\":[{\"header\":\"x-user-id\",\"modulo\":100,\"tagHeader\":\"x-asm-prefer-tag\",\"policies\":[{\"range\":100,\"tagValue\":\"s1\"}]}]}");
    expect(withRules.errors.join("; ")).toBe("");
    expect(withRules.config!.rules.length).toBe(1);
    expect(withRules.config!.passThrough!.mode).toBe(PassThroughMode.Baggage);
  });
  it("leaves a config without it unchanged: rules required, no pass-through", () => {
    expect(parseConfig("{}").errors.join("\n")).toBe("rules: is required: expected a non-empty array of rules");
    expect(parseConfig("{\"rules\":[{\"header\":\"x-user-id\",\"modulo\":100,\"tagHeader\":\"x-asm-prefer-tag\",\"policies\":[{\"range\":100,\"tagValue\":\"s1\"}]}]}").config!.passThrough === null).toBe(true);
  });
  it("refuses the whole config for a bad block, with the block's paths, next to the rules' problems", () => {
    const result = parseConfig("{\"passThrough\":{\"routeHeader\":\"x-envoy-lane\",\"traceHeader\":\"x-user-id\"},\"rules\":[]}");
    expect(result.config === null).toBe(true);
    expect(result.errors.join("\n")).toBe(
      "passThrough.routeHeader: \"x-envoy-lane\" is one of Envoy's x-envoy-* control headers, which Envoy obeys (timeouts, retries); expected a header of the request's own, such as \"x-asm-prefer-tag\"\n" +
      "rules: expected at least one rule, got an empty array",
    );
  });
});
