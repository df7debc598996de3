// Typed reading of an untrusted YAML value: each problem is recorded with its path and reading goes on,
// so one run reports every problem of a file, not only the first.

export type Mapping = Record<string, unknown>;

const quote = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `the ${typeof value} ${quote(value)}`;
}

/** Edit distance, for "did you mean" on a misspelt field. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length];
}

/** `parent.key`, or `key` at the top. */
export const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

export class Reader {
  readonly problems: string[] = [];

  problem(path: string, message: string): void {
    this.problems.push(`${path || "(top level)"}: ${message}`);
  }

  /** A mapping whose fields are all among `known`; unknown ones are problems (with the closest known name). */
  mapping(value: unknown, path: string, known: readonly string[]): Mapping | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.problem(path, `expected a mapping, got ${describe(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const closest = known.map((k) => ({ k, d: distance(key.toLowerCase(), k.toLowerCase()) })).sort((x, y) => x.d - y.d)[0];
      const hint =
        closest && closest.d <= Math.max(2, key.length / 3) ? ` (did you mean "${closest.k}"?)` : ` (known: ${known.join(", ")})`;
      this.problem(join(path, key), `unknown field${hint}`);
    }
    return value as Mapping;
  }

  /** A field that must be present. */
  required(parent: Mapping, key: string, path: string): unknown {
    if (parent[key] === undefined || parent[key] === null) this.problem(join(path, key), "required");
    return parent[key] ?? undefined;
  }

  string(value: unknown, path: string, syntax?: { test(s: string): boolean; expected: string }): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "string") {
      this.problem(path, `expected ${syntax?.expected ?? "a string"}, got ${describe(value)}`);
      return undefined;
    }
    if (syntax && !syntax.test(value)) {
      this.problem(path, `expected ${syntax.expected}, got ${quote(value)}`);
      return undefined;
    }
    return value;
  }

  integer(value: unknown, path: string, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.problem(path, `expected an integer from ${min} to ${max}, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  /** A non-empty list; each item read by `item`, items it cannot read left out. */
  list<T>(value: unknown, path: string, item: (v: unknown, itemPath: string) => T | undefined): T[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.length === 0) {
      this.problem(path, `expected a non-empty list, got ${Array.isArray(value) ? "an empty list" : describe(value)}`);
      return undefined;
    }
    return value.flatMap((v, i) => {
      const read = item(v, `${path}[${i}]`);
      return read === undefined ? [] : [read];
    });
  }

  /** Reports every repeated key of `items`, naming where it appeared first. */
  unique<T>(items: { value: T; path: string }[], key: (v: T) => string, what: string): void {
    const first = new Map<string, string>();
    for (const { value, path } of items) {
      const k = key(value);
      const seen = first.get(k);
      if (seen !== undefined) this.problem(path, `duplicate ${what} ${quote(k)} (first at ${seen})`);
      else first.set(k, path);
    }
  }
}

/** RFC 9110 token characters, lower case: what Istio and Envoy take as a header name. */
export const HEADER_NAME = {
  test: (s: string) => /^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(s),
  expected: "a lower-case HTTP header name (token characters, e.g. x-user-id)",
};
/** A W3C baggage key is an RFC 9110 token. */
export const BAGGAGE_KEY = {
  test: (s: string) => /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(s),
  expected: "a W3C baggage member name (token characters, e.g. lane)",
};
/** Kubernetes object names and subset names: a DNS-1123 label. */
export const DNS_LABEL = {
  test: (s: string) => s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s),
  expected: "a DNS-1123 label (lower-case letters, digits and -, at most 63)",
};
/** `namespace/name`, as the lane group names services and the gateway. */
export const NAMESPACED = {
  test: (s: string) => s.split("/").length === 2 && s.split("/").every((part) => DNS_LABEL.test(part)),
  expected: "namespace/name (two DNS-1123 labels, e.g. default/mocka)",
};
/** A Kubernetes label key (optional DNS prefix, then a name of at most 63) and value. */
export const LABEL_KEY = {
  test: (s: string) => {
    const [prefix, name] = s.includes("/") ? s.split(/\/(.*)/s) : [undefined, s];
    const nameOk = name.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name);
    return nameOk && (prefix === undefined || (prefix.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(prefix)));
  },
  expected: "a Kubernetes label key (e.g. ASM_TRAFFIC_TAG or app.kubernetes.io/version)",
};
export const LABEL_VALUE = {
  test: (s: string) => s.length <= 63 && /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(s),
  expected: "a Kubernetes label value (at most 63 letters, digits, -, _ and .)",
};
