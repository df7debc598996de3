// Typed reading of untrusted JSON values with one error per problem, each naming its JSON path.
// json-as typed parsing does not validate (wrong types become 0 or abort the VM), so values are
// read as untyped JSON.Value and checked one by one here.
import { JSON } from "json-as";
import { MAX_ERRORS } from "./limits";
import { closestName } from "./did-you-mean";
import { asciiLowercase, isHeaderValue, isToken } from "./http-syntax";
import { JsonFields } from "./json-fields";
import { memberPath, quoteJson } from "./json-quote";

/** Problems with the text as a whole are reported under this name; top-level fields need no prefix. */
export const ROOT_PATH = "configuration";
const DESCRIBED_STRING_CHARS = 64;

/** Integral numbers print as written in the config (100, not 100.0). */
// Written with integer arithmetic: the standard f64 toString would add about 4 KiB of float printing
// to the module for error messages alone. Six decimals say enough about a number that is wrong.
function formatNumber(n: f64): string {
  const sign = n < 0 ? "-" : "";
  const magnitude = Math.abs(n);
  if (!(magnitude < 1e15)) return sign + "1e15 or more in magnitude";
  const micros = <u64>Math.round(magnitude * 1e6);
  const whole = (micros / 1000000).toString();
  let fraction = (micros % 1000000).toString();
  if (fraction == "0") return Math.floor(magnitude) == magnitude ? sign + whole : sign + whole + " (rounded; not an integer)";
  while (fraction.length < 6) fraction = "0" + fraction;
  let end = fraction.length;
  while (fraction.charCodeAt(end - 1) == 0x30) end--;
  return sign + whole + "." + fraction.substring(0, end);
}

/** A short, quoted description of a JSON value for error messages. */
export function describe(value: JSON.Value): string {
  const type = value.type;
  if (type == JSON.Types.Null) return "null";
  if (type == JSON.Types.Bool) return value.get<bool>() ? "true" : "false";
  if (type == JSON.Types.F64) return "the number " + formatNumber(value.get<f64>());
  if (type == JSON.Types.String) return "the string " + quoteShort(value.get<string>());
  if (type == JSON.Types.Array) return "an array";
  return "an object";
}

/** `text` quoted, cut after 61 characters: error lines stay short whatever the config holds. */
function quoteShort(text: string): string {
  return text.length > DESCRIBED_STRING_CHARS ? quoteJson(text.substr(0, DESCRIBED_STRING_CHARS - 3)) + "..." : quoteJson(text);
}

export class ConfigReader {
  errors: string[] = [];
  /** Problems found past MAX_ERRORS: counted, not listed. */
  unlisted: i32 = 0;

  fail(path: string, message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push(path + ": " + message);
    else this.unlisted++;
  }

  /** Whether another error would still be listed: past that, messages are not worth building. */
  get listing(): bool {
    return this.errors.length < MAX_ERRORS;
  }

  get problems(): i32 {
    return this.errors.length + this.unlisted;
  }

  /** Every problem as a line; a last line counts those past MAX_ERRORS. */
  lines(): string[] {
    const lines = this.errors.slice(0);
    if (this.unlisted > 0) lines.push(ROOT_PATH + ": " + this.unlisted.toString() + " more error(s) not listed");
    return lines;
  }

  /**
   * The members of the object at `path`, with repeated and unknown fields reported (an unknown
   * one with the closest known name), or null (reported) when it is not an object.
   */
  object(value: JSON.Value, path: string, fields: string[]): JsonFields | null {
    const members = this.members(value, path);
    if (members === null) return null;
    const parent = path == ROOT_PATH ? "" : path;
    for (let i = 0; i < members.size; i++) {
      const name = members.names[i];
      if (members.isRepeat(i)) {
        this.fail(memberPath(parent, name), "appears more than once: expected each field once");
      } else if (!fields.includes(name)) {
        const closest = this.listing ? closestName(name, fields) : null;
        const hint = closest === null ? "" : ", did you mean " + quoteJson(closest) + "?";
        this.fail(memberPath(parent, name), "unknown field" + hint + " (expected one of: " + fields.join(", ") + ")");
      }
    }
    return members;
  }

  /** The members of an object whose names are data (overrides), repeats reported; null (reported) for a non-object. */
  members(value: JSON.Value, path: string): JsonFields | null {
    if (value.type != JSON.Types.Object) {
      this.fail(path, "expected an object, got " + describe(value));
      return null;
    }
    return new JsonFields(value.get<JSON.Obj>());
  }

  /** The items of the array at `path` (at most `maxItems`, else reported), or null (reported). */
  array(value: JSON.Value, path: string, maxItems: i32 = i32.MAX_VALUE): JSON.Value[] | null {
    if (value.type != JSON.Types.Array) {
      this.fail(path, "expected an array, got " + describe(value));
      return null;
    }
    const items = value.get<JSON.Arr>();
    if (items.length > maxItems) {
      this.fail(path, "expected at most " + maxItems.toString() + " items, got " + items.length.toString());
      return null;
    }
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

  /** A non-empty string of at most `maxBytes` UTF-8 bytes, or null (reported). */
  text(value: JSON.Value, path: string, maxBytes: i32): string | null {
    const text = this.string(value, path);
    if (text === null) return null;
    if (text.length == 0) {
      this.fail(path, "expected a non-empty string, got an empty one");
      return null;
    }
    return this.withinBytes(text, path, maxBytes) ? text : null;
  }

  /** Whether `text` fits in `maxBytes` UTF-8 bytes (reported when not). */
  withinBytes(text: string, path: string, maxBytes: i32): bool {
    const bytes = String.UTF8.byteLength(text);
    if (bytes <= maxBytes) return true;
    this.fail(path, "expected at most " + maxBytes.toString() + " bytes (UTF-8), got " + bytes.toString() + ": " + quoteShort(text));
    return false;
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

  /** One of `choices` (index), or -1 (reported, with the closest choice). */
  choice(value: JSON.Value, path: string, choices: string[]): i32 {
    const text = this.string(value, path);
    if (text === null) return -1;
    const index = choices.indexOf(text);
    if (index >= 0) return index;
    const closest = closestName(text, choices);
    const hint = closest === null ? "" : " (did you mean " + quoteJson(closest) + "?)";
    this.fail(path, "expected one of \"" + choices.join("\", \"") + "\", got " + describe(value) + hint);
    return -1;
  }

  /** An HTTP header name in any case, lowercased as Envoy does; null (reported) when invalid. */
  headerName(value: JSON.Value, path: string, maxBytes: i32): string | null {
    const name = this.string(value, path);
    if (name === null) return null;
    if (!isToken(name)) {
      this.fail(path, "expected an HTTP header name (letters, digits, !#$%&'*+-.^_`|~; no pseudo-headers), got " + describe(value));
      return null;
    }
    return this.withinBytes(name, path, maxBytes) ? asciiLowercase(name) : null;
  }

  /** A value for the tag header; null (reported) when invalid. */
  tagValue(value: JSON.Value, path: string, maxBytes: i32): string | null {
    const text = this.string(value, path);
    if (text === null) return null;
    if (!isHeaderValue(text)) {
      this.fail(path, "expected a non-empty header value (visible ASCII, inner spaces allowed), got " + describe(value));
      return null;
    }
    return this.withinBytes(text, path, maxBytes) ? text : null;
  }

  required(obj: JsonFields, field: string, path: string): bool {
    if (obj.has(field)) return true;
    this.fail(path + "." + field, "is required");
    return false;
  }
}
