// The validated, immutable form of the configuration. Everything the request path needs is
// prepared here once (names and values as UTF-8 bytes) so that a request does no config work.

/** One range policy: buckets below `range` (and at or past the previous policy's range) get `tagValue`. */
export class RulePolicy {
  readonly tagValueBytes: ArrayBuffer;

  constructor(readonly range: u32, readonly tagValue: string) {
    this.tagValueBytes = String.UTF8.encode(tagValue);
  }
}

/** One tagging rule: hash `header`, bucket modulo `modulo`, write the winning policy's tag to `tagHeader`. */
export class TaggingRule {
  readonly headerBytes: ArrayBuffer;
  readonly tagHeaderBytes: ArrayBuffer;

  constructor(
    readonly name: string,
    readonly header: string,
    readonly modulo: u32,
    readonly tagHeader: string,
    readonly policies: StaticArray<RulePolicy>,
  ) {
    this.headerBytes = String.UTF8.encode(header);
    this.tagHeaderBytes = String.UTF8.encode(tagHeader);
  }
}

export class PluginConfig {
  constructor(
    readonly rules: StaticArray<TaggingRule>,
    /** Log every decision at info level: for trying a config, not for production traffic. */
    readonly logDecisions: bool,
  ) {}
}
