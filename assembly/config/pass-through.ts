// Reads the `passThrough` block: one error per problem, each with its JSON path.
import { JSON } from "json-as";
import { MAX_NAME_BYTES } from "./limits";
import { ConfigReader, describe } from "./reader";
import { isToken } from "./http-syntax";
import { JsonFields } from "./json-fields";
import { quoteJson } from "./json-quote";
import { reservedHeaderReason } from "./reserved-headers";
import {
  DEFAULT_SLOTS, DEFAULT_TTL_SECONDS, Direction, MAX_SLOTS, MAX_TTL_SECONDS, PassThrough, PassThroughMode,
} from "../pass-through";

export const PASS_THROUGH_FIELD = "passThrough";
const FIELDS: string[] = ["routeHeader", "traceHeader", "baggage", "direction", "slots", "ttlSeconds"];
// In Direction order.
const DIRECTIONS: string[] = ["auto", "inbound", "outbound"];
// Fields that only trace-id mode reads.
const TRACE_ID_FIELDS: string[] = ["slots", "ttlSeconds"];
const BAGGAGE_HEADER = "baggage";

/** The `passThrough` object at `path`, or null with every problem reported to `reader`. */
export function readPassThrough(reader: ConfigReader, value: JSON.Value, path: string = PASS_THROUGH_FIELD): PassThrough | null {
  const problemsBefore = reader.problems;
  const obj = reader.object(value, path, FIELDS);
  if (obj === null) return null;

  let routeHeader: string | null = null;
  if (reader.required(obj, "routeHeader", path)) {
    const routePath = path + ".routeHeader";
    routeHeader = reader.headerName(obj.get("routeHeader")!, routePath, MAX_NAME_BYTES);
    const reserved: string | null = routeHeader === null ? null : reservedHeaderReason(routeHeader);
    if (reserved !== null) {
      reader.fail(routePath, quoteJson(routeHeader!) + " " + reserved + "; expected a header of the request's own, such as \"x-asm-prefer-tag\"");
      routeHeader = null;
    }
  }

  const mode = modeOf(reader, obj, path);
  let carrier: string | null = null;
  if (mode == PassThroughMode.TraceId) {
    const tracePath = path + ".traceHeader";
    carrier = reader.headerName(obj.get("traceHeader")!, tracePath, MAX_NAME_BYTES);
    if (carrier !== null && routeHeader !== null && carrier == routeHeader) {
      reader.fail(tracePath, "expected a header other than routeHeader " + quoteJson(routeHeader));
    }
  } else if (mode == PassThroughMode.Baggage) {
    carrier = memberName(reader, obj.get("baggage")!, path + ".baggage");
    if (routeHeader !== null && routeHeader == BAGGAGE_HEADER) {
      reader.fail(path + ".routeHeader", "expected a header other than \"baggage\", which carries the lane in baggage mode");
    }
    for (let i = 0; i < TRACE_ID_FIELDS.length; i++) {
      const field = TRACE_ID_FIELDS[i];
      if (obj.has(field)) reader.fail(path + "." + field, "applies to trace-id mode only (\"traceHeader\"), not to \"baggage\"");
    }
  }

  let direction = Direction.Auto;
  const directionValue = obj.get("direction");
  if (directionValue !== null) direction = <Direction>max(0, reader.choice(directionValue, path + ".direction", DIRECTIONS));

  let slots: i64 = DEFAULT_SLOTS;
  const slotsValue = obj.get("slots");
  if (slotsValue !== null && mode != PassThroughMode.Baggage) slots = reader.integer(slotsValue, path + ".slots", 1, <f64>MAX_SLOTS);
  let ttl: i64 = DEFAULT_TTL_SECONDS;
  const ttlValue = obj.get("ttlSeconds");
  if (ttlValue !== null && mode != PassThroughMode.Baggage) ttl = reader.integer(ttlValue, path + ".ttlSeconds", 1, <f64>MAX_TTL_SECONDS);

  if (reader.problems != problemsBefore || mode < 0) return null;
  return new PassThrough(routeHeader!, <PassThroughMode>mode, carrier!, direction, <u32>slots, <u32>ttl);
}

/** Exactly one of `traceHeader` and `baggage`: the mode, or -1 (reported). */
function modeOf(reader: ConfigReader, obj: JsonFields, path: string): i32 {
  const trace = obj.has("traceHeader");
  const baggage = obj.has("baggage");
  if (trace && baggage) {
    reader.fail(path + ".baggage", "expected either \"traceHeader\" (trace-id mode) or \"baggage\" (baggage mode), got both");
    return -1;
  }
  if (!trace && !baggage) {
    reader.fail(path + ".traceHeader", "is required (or \"baggage\" instead, for baggage mode)");
    return -1;
  }
  return trace ? PassThroughMode.TraceId : PassThroughMode.Baggage;
}

/** A W3C Baggage member name (a token, case-sensitive), or null (reported). */
function memberName(reader: ConfigReader, value: JSON.Value, path: string): string | null {
  const name = reader.string(value, path);
  if (name === null) return null;
  if (!isToken(name)) {
    reader.fail(path, "expected a baggage member name (letters, digits, !#$%&'*+-.^_`|~; case-sensitive), got " + describe(value));
    return null;
  }
  return reader.withinBytes(name, path, MAX_NAME_BYTES) ? name : null;
}
