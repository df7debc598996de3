// The CLI's half of assembly/cli-exports.ts: the compiled filter parses the configuration, describes its
// rules and decides batches of requests; this file only moves bytes into and out of its memory.
import { loadPlugin, type PluginHost } from "../lib/host/index.ts";

export interface FilterPolicy {
  /** Buckets from..to-1 get `tag` (an empty range when from >= to). */
  from: number;
  to: number;
  tag: string;
}

/** A rule as the filter holds it after parsing: names normalized, policies as bucket ranges. */
export interface FilterRule {
  name: string;
  key: { source: "header" | "cookie" | "query"; name: string };
  modulo: number;
  /** The hash state a key continues from: the seed's whole effect on buckets. */
  hashStart: number;
  fmix32: boolean;
  tagHeader: string;
  policies: FilterPolicy[];
  overrideTags: string[];
  defaultTag: string | null;
  removeClientTag: boolean;
  maxKeyBytes: number;
  match: { hosts: string[] | null; pathPrefixes: string[] | null } | null;
}

export interface FilterDescription {
  /** Outcome names, by the number a decision record carries. */
  outcomes: string[];
  rules: FilterRule[];
}

/** Parts joined into a header value: constant bytes, the id as is, or the id percent-encoded. */
export type ValueTemplate = Array<Uint8Array | "id" | "encoded-id">;

/** One header's value in each request of a batch: the same for all (undefined: absent), or built from each id. */
export type HeaderValue = { constant: Uint8Array | undefined } | { perId: ValueTemplate };

/** What one rule reads from each request: the value of its key's header, `:authority` and `:path`. */
export interface RuleRequest {
  value: HeaderValue;
  authority: HeaderValue;
  path: HeaderValue;
}

/** In the bucket word of a record that hashed nothing (no key, override, out of scope). */
export const NO_BUCKET = 0xffffffff;
/** A decision record is four u32: outcome, index, bucket, and 1 when the default tag tagged it. */
export const RECORD_WORDS = 4;

const UNRESERVED = new Uint8Array(256);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") UNRESERVED[c.charCodeAt(0)] = 1;
const HEX = Buffer.from("0123456789ABCDEF", "latin1");

/** Writes `id` percent-encoded (every byte but unreserved ones) at `at`; returns the end. */
function writeEncoded(id: Uint8Array, into: Uint8Array, at: number): number {
  for (const b of id) {
    if (UNRESERVED[b]) into[at++] = b;
    else {
      into[at++] = 0x25;
      into[at++] = HEX[b >> 4];
      into[at++] = HEX[b & 15];
    }
  }
  return at;
}

interface Placed {
  data: number;
  ends: number;
  length: number;
}

/** The compiled filter (the release build the gateway runs) answering for one configuration. */
export class CompiledFilter {
  /** Buffer slots in the module, numbered as first asked for: by header value (bytes, and ends), or by name. */
  private readonly slots = new Map<HeaderValue | string, number>();
  private nextSlot = 0;

  private constructor(private readonly host: PluginHost) {}

  static async load(wasmPath: string): Promise<CompiledFilter> {
    return new CompiledFilter(await loadPlugin(wasmPath));
  }

  /**
   * Applies the configuration as Envoy would (its error lines when refused), and parses it for the
   * CLI's exports too. Returns the filter's error lines; empty when accepted.
   */
  configure(text: string): string[] {
    const { accepted, logs } = this.host.configure(text);
    if (!accepted) {
      const errors = logs.filter((l) => l.level === "error").map((l) => l.message);
      return errors.length > 0 ? errors : ["no reason logged"];
    }
    const bytes = Buffer.from(text, "utf8");
    const ptr = this.reserve(this.slotOf("configuration"), bytes.length);
    new Uint8Array(this.memory, ptr, bytes.length).set(bytes);
    if (this.host.callExport("cli_configure", ptr, bytes.length) < 0)
      throw new Error("the filter accepted the configuration in configure but not in cli_configure");
    return [];
  }

  describe(): FilterDescription {
    const ptr = this.host.callExport("cli_describe");
    const length = this.host.callExport("cli_text_length");
    return JSON.parse(Buffer.from(new Uint8Array(this.memory, ptr, length)).toString("utf8")) as FilterDescription;
  }

  /** Each rule's decision records for the requests built from `ids` (RECORD_WORDS u32 per id). */
  decideBatch(ids: Uint8Array[], requests: RuleRequest[]): Uint32Array[] {
    const count = ids.length;
    const values = [...new Set(requests.flatMap((r) => [r.value, r.authority, r.path]))];
    // Reserve first: a reservation may grow the memory, which detaches every view taken before.
    const reserved = values.map((value) => this.reserveValue(value, ids));
    const outs = requests.map((_, rule) => this.reserve(this.slotOf(`out ${rule}`), count * RECORD_WORDS * 4));
    const bytes = new Uint8Array(this.memory);
    const placed = new Map<HeaderValue, Placed>();
    values.forEach((value, i) => placed.set(value, this.write(value, ids, reserved[i], bytes)));
    return requests.map((request, rule) => {
      const [value, authority, path] = [request.value, request.authority, request.path].map((v) => placed.get(v)!);
      this.host.callExport(
        "cli_decide",
        rule,
        count,
        value.data,
        value.ends,
        value.length,
        authority.data,
        authority.ends,
        authority.length,
        path.data,
        path.ends,
        path.length,
        outs[rule],
      );
      return new Uint32Array(this.memory, outs[rule], count * RECORD_WORDS).slice();
    });
  }

  private get memory(): ArrayBuffer {
    return this.host.linearMemory.buffer;
  }

  private reserve(slot: number, size: number): number {
    return this.host.callExport("cli_buffer", slot, Math.max(size, 1));
  }

  /** The slot of `key`; a header value's ends take the next one. */
  private slotOf(key: HeaderValue | string): number {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.nextSlot;
      this.nextSlot += typeof key === "string" ? 1 : 2;
      this.slots.set(key, slot);
    }
    return slot;
  }

  private reserveValue(value: HeaderValue, ids: Uint8Array[]): { data: number; ends: number } {
    const slot = this.slotOf(value);
    if ("constant" in value) return { data: this.reserve(slot, value.constant?.length ?? 0), ends: 0 };
    const fixed = value.perId.reduce((sum, part) => sum + (typeof part === "string" ? 0 : part.length), 0);
    const perIdBytes = value.perId.reduce((sum, part) => sum + (part === "id" ? 1 : part === "encoded-id" ? 3 : 0), 0);
    let bound = 0;
    for (const id of ids) bound += fixed + perIdBytes * id.length;
    return { data: this.reserve(slot, bound), ends: this.reserve(slot + 1, ids.length * 4) };
  }

  private write(value: HeaderValue, ids: Uint8Array[], at: { data: number; ends: number }, bytes: Uint8Array): Placed {
    if ("constant" in value) {
      const constant = value.constant ?? new Uint8Array(0);
      bytes.set(constant, at.data);
      return { data: at.data, ends: 0, length: constant.length };
    }
    const ends = new Uint32Array(bytes.buffer, at.ends, ids.length);
    const template = value.perId;
    let offset = at.data;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      for (const part of template) {
        if (part === "id") {
          bytes.set(id, offset);
          offset += id.length;
        } else if (part === "encoded-id") {
          offset = writeEncoded(id, bytes, offset);
        } else {
          bytes.set(part, offset);
          offset += part.length;
        }
      }
      ends[i] = offset - at.data;
    }
    return { data: at.data, ends: at.ends, length: 0 };
  }
}
