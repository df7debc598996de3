// The validated, immutable form of the configuration. Everything the request path needs is
// prepared here once (names and values as UTF-8 bytes, the seed's hash state, the override table)
// so that a request does no config work, and a rule pays only for the fields it uses.
import { FNV1A_OFFSET_BASIS, seededStart } from "./hash";
import { OverrideKeys } from "./override-keys";
import { PassThrough } from "./pass-through";

/** A tag value with its bytes, as written into the tag header. */
export class Tag {
  readonly bytes: ArrayBuffer;

  constructor(readonly value: string) {
    this.bytes = String.UTF8.encode(value);
  }
}

/** One range policy: buckets below `range` (and at or past the previous policy's range) get `tagValue`. */
export class RulePolicy {
  readonly tagValueBytes: ArrayBuffer;

  constructor(readonly range: u32, readonly tagValue: string) {
    this.tagValueBytes = String.UTF8.encode(tagValue);
  }
}

/** Where a rule reads its key. */
export enum KeySource {
  /** The value of the request header `name`. */
  Header,
  /** The cookie `name` in the `cookie` header. */
  Cookie,
  /** The query parameter `name` of `:path`, percent-decoded. */
  Query,
}

const COOKIE_HEADER = "cookie";
const PATH_HEADER = ":path";

export class RuleKey {
  /** The header the request path reads: the key header itself, `cookie`, or `:path`. */
  readonly headerBytes: ArrayBuffer;
  /** The cookie or parameter name within that header (empty for a header key). */
  readonly nameBytes: ArrayBuffer;

  constructor(readonly source: KeySource, readonly name: string) {
    const header = source == KeySource.Cookie ? COOKIE_HEADER : source == KeySource.Query ? PATH_HEADER : name;
    this.headerBytes = String.UTF8.encode(header);
    this.nameBytes = source == KeySource.Header ? new ArrayBuffer(0) : String.UTF8.encode(name);
  }

  /** The header the request path reads (for messages and for keeping the tag header apart from it). */
  get header(): string {
    return this.source == KeySource.Cookie ? COOKIE_HEADER : this.source == KeySource.Query ? PATH_HEADER : this.name;
  }
}

/** A rule's scope: null lists match everything. Hosts are in the form of hostPatternBytes; "*.example.com" is stored as ".example.com". */
export class RuleMatch {
  constructor(
    readonly hosts: StaticArray<ArrayBuffer> | null,
    readonly pathPrefixes: StaticArray<ArrayBuffer> | null,
  ) {}
}

export enum HashVariant {
  /** FNV-1a 32-bit: the reference's hash. */
  Fnv1a32,
  /** FNV-1a 32-bit, then murmur3's fmix32: even buckets at large moduli. */
  Fnv1a32Fmix32,
}

/** The optional fields of a rule; the defaults are the reference's behaviour. */
export class RuleOptions {
  seed: string | null = null;
  hash: HashVariant = HashVariant.Fnv1a32;
  defaultTag: Tag | null = null;
  /** Exact key values and their tags, keys distinct. */
  overrideKeys: string[] = [];
  overrideTags: Tag[] = [];
  removeClientTag: bool = false;
  match: RuleMatch | null = null;
  /** Keys longer than this are not hashed (0: no cap). */
  maxKeyBytes: u32 = 0;
}

/** Overrides ready for requests: a key table and the tag of each key, by index. */
export class RuleOverrides {
  readonly keys: OverrideKeys;
  readonly tags: StaticArray<Tag>;

  constructor(keys: string[], tags: Tag[], hashStart: u32) {
    const keyBytes = new StaticArray<ArrayBuffer>(keys.length);
    for (let i = 0; i < keys.length; i++) keyBytes[i] = String.UTF8.encode(keys[i]);
    this.keys = new OverrideKeys(keyBytes, hashStart);
    this.tags = StaticArray.fromArray(tags);
  }
}

/** One tagging rule: hash the key, bucket modulo `modulo`, write the winning policy's tag to `tagHeader`. */
export class TaggingRule {
  /** The header the key is read from (the key header, `cookie` or `:path`). */
  readonly headerBytes: ArrayBuffer;
  readonly tagHeaderBytes: ArrayBuffer;
  /** The FNV-1a state a key's bytes continue from: after `seed` and ":", or the offset basis. */
  readonly hashStart: u32;
  readonly fmix: bool;
  readonly defaultTag: Tag | null;
  readonly overrides: RuleOverrides | null;
  readonly removeClientTag: bool;
  readonly match: RuleMatch | null;
  readonly maxKeyBytes: u32;
  // Where the request plan keeps what this rule reads and writes (set once, by RequestPlan at configure).
  keyIndex: i32 = -1;
  hashIndex: i32 = -1;
  tagHeaderIndex: i32 = -1;

  constructor(
    readonly name: string,
    readonly key: RuleKey,
    readonly modulo: u32,
    readonly tagHeader: string,
    readonly policies: StaticArray<RulePolicy>,
    options: RuleOptions = new RuleOptions(),
  ) {
    this.headerBytes = key.headerBytes;
    this.tagHeaderBytes = String.UTF8.encode(tagHeader);
    const seed = options.seed;
    this.hashStart = seed === null ? FNV1A_OFFSET_BASIS : seededStart(String.UTF8.encode(seed));
    this.fmix = options.hash == HashVariant.Fnv1a32Fmix32;
    this.defaultTag = options.defaultTag;
    this.overrides = options.overrideKeys.length == 0 ? null : new RuleOverrides(options.overrideKeys, options.overrideTags, this.hashStart);
    this.removeClientTag = options.removeClientTag;
    this.match = options.match;
    this.maxKeyBytes = options.maxKeyBytes;
  }
}

export class PluginConfig {
  constructor(
    readonly rules: StaticArray<TaggingRule>,
    /** Log every decision at info level: for trying a config, not for production traffic. */
    readonly logDecisions: bool,
    /** The sidecar pass-through, when configured: it runs before the rules, which decide only what it leaves undecided. */
    readonly passThrough: PassThrough | null = null,
  ) {}
}
