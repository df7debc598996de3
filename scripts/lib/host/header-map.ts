// An HTTP header map with raw byte values, keyed case-insensitively as Envoy does.

export class HeaderMap {
  private readonly entries: Array<[string, Uint8Array]> = [];

  constructor(initial: Iterable<[string, string | Uint8Array]> = []) {
    for (const [name, value] of initial) this.add(name, value);
  }

  /** The first value of `name`, or undefined when the header is absent. */
  get(name: string): Uint8Array | undefined {
    const key = name.toLowerCase();
    return this.entries.find(([n]) => n === key)?.[1];
  }

  getText(name: string): string | undefined {
    const value = this.get(name);
    return value === undefined ? undefined : Buffer.from(value).toString("latin1");
  }

  /** Every value of `name`, in order. */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    return this.entries.filter(([n]) => n === key).map(([, v]) => Buffer.from(v).toString("latin1"));
  }

  add(name: string, value: string | Uint8Array): void {
    this.entries.push([name.toLowerCase(), typeof value === "string" ? Buffer.from(value, "latin1") : value]);
  }

  /** Removes every value of `name` and sets one: what proxy_replace_header_map_value does in Envoy. */
  replace(name: string, value: Uint8Array): void {
    this.remove(name);
    this.add(name, value);
  }

  remove(name: string): void {
    const key = name.toLowerCase();
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i][0] === key) this.entries.splice(i, 1);
  }

  /**
   * Every header in the ABI's serialised form (what proxy_get_header_map_pairs returns): a u32
   * count, a (name length, value length) u32 pair per header, then each name and value NUL-terminated.
   */
  serialized(): Uint8Array {
    const names = this.entries.map(([n]) => Buffer.from(n, "latin1"));
    const body = 4 + this.entries.length * 8 + this.entries.reduce((sum, [, v], i) => sum + names[i].byteLength + v.byteLength + 2, 0);
    const out = new Uint8Array(body);
    const view = new DataView(out.buffer);
    view.setUint32(0, this.entries.length, true);
    let at = 4 + this.entries.length * 8;
    this.entries.forEach(([, value], i) => {
      view.setUint32(4 + i * 8, names[i].byteLength, true);
      view.setUint32(8 + i * 8, value.byteLength, true);
      out.set(names[i], at);
      at += names[i].byteLength + 1;
      out.set(value, at);
      at += value.byteLength + 1;
    });
    return out;
  }

  get size(): number {
    return this.entries.length;
  }
}
