// What a request reads, once, for all the rules of a configuration: each distinct header, each
// distinct key within those headers, each distinct hash of a key. Built at configure time. Per
// request each slot is filled on first use and stamped with the request's generation, so a request
// resets nothing, a rule that needs nothing reads nothing, and a hundred rules on one header read
// and hash it once.
import { FNV1A_OFFSET_BASIS } from "../hash";
import { OverrideKeys } from "../override-keys";
import { KeySource, TaggingRule } from "../rules";

const AUTHORITY = ":authority";
const PATH = ":path";

/** A key within a header: the whole value, a cookie or a query parameter. */
export class KeyRead {
  constructor(readonly source: KeySource, readonly headerIndex: i32, readonly nameBytes: ArrayBuffer) {}
}

/** A key's FNV-1a state from a start (the offset basis, or after a seed). */
export class HashRead {
  constructor(readonly keyIndex: i32, readonly start: u32, readonly decoded: bool) {}
}

/** Several cookie (or query parameter) names found in one pass over their header. */
export class NameScan {
  readonly names: OverrideKeys;
  /** The key index of each name entry. */
  readonly keyIndexOf: StaticArray<i32>;
  /** Per request: each name's value span, FOUND_EMPTY, or NO_SPAN. */
  readonly found: StaticArray<u64>;

  constructor(names: ArrayBuffer[], keyIndexOf: i32[]) {
    this.names = new OverrideKeys(StaticArray.fromArray(names), FNV1A_OFFSET_BASIS);
    this.keyIndexOf = StaticArray.fromArray(keyIndexOf);
    this.found = new StaticArray<u64>(names.length);
  }
}

/** Indexes distinct strings in order of first appearance. */
class Distinct {
  readonly indexOf: Map<string, i32> = new Map();
  count: i32 = 0;

  add(name: string): i32 {
    if (this.indexOf.has(name)) return this.indexOf.get(name);
    this.indexOf.set(name, this.count);
    return this.count++;
  }
}

export class RequestPlan {
  readonly headers: StaticArray<ArrayBuffer>;
  readonly keys: StaticArray<KeyRead>;
  readonly hashes: StaticArray<HashRead>;
  readonly tagHeaders: StaticArray<ArrayBuffer>;
  /** Header indexes of `:authority` and `:path` (-1 when no rule reads them). */
  readonly authorityIndex: i32;
  readonly pathIndex: i32;
  readonly cookieScan: NameScan | null;
  readonly queryScan: NameScan | null;
  /** Per tag header: the index of the same header when a rule also reads it, else -1 (writing it then invalidates the read). */
  readonly tagHeaderSource: StaticArray<i32>;

  /** The current request's stamp; slots stamped otherwise are stale. */
  generation: u32 = 0;
  readonly headerStamp: StaticArray<u32>;
  readonly headerSpan: StaticArray<u64>;
  readonly keyStamp: StaticArray<u32>;
  readonly keySpan: StaticArray<u64>;
  readonly hashStamp: StaticArray<u32>;
  readonly hashState: StaticArray<u32>;
  /** Stamped when this request wrote the tag header, so a later rule's clientTag "remove" keeps it. */
  readonly tagWrittenStamp: StaticArray<u32>;

  constructor(rules: StaticArray<TaggingRule>) {
    const headers = new Distinct();
    const headerBytes: ArrayBuffer[] = [];
    const keys = new Distinct();
    const keyReads: KeyRead[] = [];
    const hashes = new Distinct();
    const hashReads: HashRead[] = [];
    const tagHeaders = new Distinct();
    const tagBytes: ArrayBuffer[] = [];
    const cookieNames: ArrayBuffer[] = [];
    const cookieKeys: i32[] = [];
    const queryNames: ArrayBuffer[] = [];
    const queryKeys: i32[] = [];
    let authorityIndex = -1;
    let pathIndex = -1;

    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      const header = rule.key.header;
      const headerIndex = headers.add(header);
      if (headerIndex == headerBytes.length) headerBytes.push(rule.headerBytes);
      const source = rule.key.source;
      const keyIndex = keys.add(source.toString() + ":" + rule.key.name);
      if (keyIndex == keyReads.length) {
        keyReads.push(new KeyRead(source, headerIndex, rule.key.nameBytes));
        if (source == KeySource.Cookie) {
          cookieNames.push(rule.key.nameBytes);
          cookieKeys.push(keyIndex);
        } else if (source == KeySource.Query) {
          queryNames.push(rule.key.nameBytes);
          queryKeys.push(keyIndex);
        }
      }
      rule.keyIndex = keyIndex;
      const hashIndex = hashes.add(keyIndex.toString() + ":" + rule.hashStart.toString());
      if (hashIndex == hashReads.length) hashReads.push(new HashRead(keyIndex, rule.hashStart, source == KeySource.Query));
      rule.hashIndex = hashIndex;
      const tagIndex = tagHeaders.add(rule.tagHeader);
      if (tagIndex == tagBytes.length) tagBytes.push(rule.tagHeaderBytes);
      rule.tagHeaderIndex = tagIndex;
      const match = rule.match;
      if (match !== null && match.hosts !== null && authorityIndex < 0) {
        authorityIndex = headers.add(AUTHORITY);
        if (authorityIndex == headerBytes.length) headerBytes.push(String.UTF8.encode(AUTHORITY));
      }
      if (match !== null && match.pathPrefixes !== null && pathIndex < 0) {
        pathIndex = headers.add(PATH);
        if (pathIndex == headerBytes.length) headerBytes.push(String.UTF8.encode(PATH));
      }
    }

    this.headers = StaticArray.fromArray(headerBytes);
    this.keys = StaticArray.fromArray(keyReads);
    this.hashes = StaticArray.fromArray(hashReads);
    this.tagHeaders = StaticArray.fromArray(tagBytes);
    this.authorityIndex = authorityIndex;
    this.pathIndex = pathIndex;
    // One name needs no table: the direct scan is cheaper.
    this.cookieScan = cookieNames.length > 1 ? new NameScan(cookieNames, cookieKeys) : null;
    this.queryScan = queryNames.length > 1 ? new NameScan(queryNames, queryKeys) : null;
    this.headerStamp = new StaticArray<u32>(headerBytes.length);
    this.headerSpan = new StaticArray<u64>(headerBytes.length);
    this.keyStamp = new StaticArray<u32>(keyReads.length);
    this.keySpan = new StaticArray<u64>(keyReads.length);
    this.hashStamp = new StaticArray<u32>(hashReads.length);
    this.hashState = new StaticArray<u32>(hashReads.length);
    this.tagWrittenStamp = new StaticArray<u32>(tagBytes.length);
    const tagHeaderSource = new StaticArray<i32>(tagBytes.length);
    const tagNames = tagHeaders.indexOf.keys();
    for (let i = 0; i < tagNames.length; i++) {
      const name = tagNames[i];
      tagHeaderSource[tagHeaders.indexOf.get(name)] = headers.indexOf.has(name) ? headers.indexOf.get(name) : -1;
    }
    this.tagHeaderSource = tagHeaderSource;
  }

  /** The index of the header named by `name` (bytes), or -1 when no rule reads it. */
  headerIndex(name: ArrayBuffer): i32 {
    for (let i = 0; i < this.headers.length; i++) {
      const bytes = this.headers[i];
      if (bytes.byteLength == name.byteLength && memory.compare(changetype<usize>(bytes), changetype<usize>(name), name.byteLength) == 0) return i;
    }
    return -1;
  }

  /** Starts a request: every slot becomes stale. */
  begin(): void {
    const next = this.generation + 1;
    if (next == 0) {
      // After 2^32 requests, stamps of long ago would look current: clear them all once.
      this.headerStamp.fill(0);
      this.keyStamp.fill(0);
      this.hashStamp.fill(0);
      this.tagWrittenStamp.fill(0);
      this.generation = 1;
      return;
    }
    this.generation = next;
  }

  /** Makes what was read from header `headerIndex` stale (the request changed that header). */
  forget(headerIndex: i32): void {
    unchecked(this.headerStamp[headerIndex] = 0);
    const keys = this.keys;
    for (let k = 0, n = keys.length; k < n; k++) {
      if (unchecked(keys[k]).headerIndex != headerIndex) continue;
      unchecked(this.keyStamp[k] = 0);
      const hashes = this.hashes;
      for (let h = 0, m = hashes.length; h < m; h++) {
        if (unchecked(hashes[h]).keyIndex == k) unchecked(this.hashStamp[h] = 0);
      }
    }
  }
}
