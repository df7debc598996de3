// A Node-side Proxy-Wasm host (ABI 0.2.1) that drives a compiled filter the way Envoy does:
// root context, vm start, configure, then per request create / request headers / done / log / delete,
// each hook only when the module exports it (Envoy treats them all as optional but the header hook).
// It is the fast test layer (fuzzing, leak checks, micro-benchmarks); real Envoy is the authority.
import { readFileSync } from "node:fs";
import { BufferType, HeaderMapType, LOG_LEVELS, type LogLevel, WasmResult } from "./abi.ts";
import { type HostClock, realClock } from "./clock.ts";
import { HeaderMap } from "./header-map.ts";
import { type PropertyValues, propertyKey } from "./properties.ts";
import { SharedData } from "./shared-data.ts";

export interface LogLine {
  level: LogLevel;
  message: string;
}

export interface ConfigureResult {
  accepted: boolean;
  logs: LogLine[];
}

export interface RequestResult {
  headers: HeaderMap;
  status: number;
  logs: LogLine[];
}

/** Raised when the module traps (abort, unreachable, proc_exit): in Envoy this kills the plugin. */
export class PluginTrap extends Error {
  constructor(hook: string, cause: unknown, lastLogs: LogLine[]) {
    const detail = lastLogs.map((l) => `${l.level}: ${l.message}`).join("; ");
    super(`plugin trapped in ${hook}: ${String(cause)}${detail ? ` (logs: ${detail})` : ""}`);
  }
}

class ProcExit extends Error {}

interface PluginExports {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  proxy_on_context_create?(id: number, parent: number): void;
  proxy_on_vm_start?(root: number, size: number): number;
  proxy_on_configure?(root: number, size: number): number;
  proxy_on_request_headers(id: number, count: number, endOfStream: number): number;
  proxy_on_done?(id: number): number;
  proxy_on_log?(id: number): void;
  proxy_on_delete?(id: number): void;
}

const ROOT_CONTEXT_ID = 1;
const ROOT_ID_PROPERTY = propertyKey(["plugin_root_id"]);

export interface HostOptions {
  rootId?: string;
  /** The shared data this VM sees: pass one to several hosts to model an Envoy's workers. */
  sharedData?: SharedData;
  clock?: HostClock;
  /** Properties answered for every request (per-request ones override them). */
  properties?: PropertyValues;
}

export interface RequestOptions {
  /** The root context whose config serves the request (default: the first). */
  root?: number;
  /** Properties of this request only, such as the listener direction. */
  properties?: PropertyValues;
}

export class PluginHost {
  readonly logs: LogLine[] = [];
  /** Calls made to each host import, by name: lets tests see what the filter costs per request. */
  readonly importCalls = new Map<string, number>();
  /** Calls into the module (exported hooks and malloc), by name: each one is a VM entry in Envoy. */
  readonly vmEntries = new Map<string, number>();
  /** Counters the filter defined, by name, with their values. */
  readonly counters = new Map<string, number>();
  private readonly metricNames: string[] = [];
  private readonly metricIds = new Map<string, number>();
  private exports!: PluginExports;
  private configuration: Uint8Array = new Uint8Array(0);
  private activeHeaders: HeaderMap | null = null;
  private nextContextId = ROOT_CONTEXT_ID + 1;
  private trapped = false;
  private requestProperties: PropertyValues | undefined;
  readonly sharedData: SharedData;
  private readonly clock: HostClock;
  private readonly properties: PropertyValues;

  private constructor(
    private readonly rootId: string,
    options: HostOptions,
  ) {
    this.sharedData = options.sharedData ?? new SharedData();
    this.clock = options.clock ?? realClock;
    this.properties = options.properties ?? new Map();
  }

  /** Instantiates the module and creates its root context, as Envoy does on VM start. */
  static async load(wasm: string | Uint8Array, options: HostOptions = {}): Promise<PluginHost> {
    const host = new PluginHost(options.rootId ?? "", options);
    const bytes = typeof wasm === "string" ? readFileSync(wasm) : new Uint8Array(wasm);
    const module = await WebAssembly.compile(bytes);
    const instance = await WebAssembly.instantiate(module, host.importsFor(module));
    host.exports = instance.exports as unknown as PluginExports;
    const { proxy_on_context_create: create, proxy_on_vm_start: vmStart } = host.exports;
    if (create) host.call("proxy_on_context_create", () => create(ROOT_CONTEXT_ID, 0));
    if (vmStart) host.call("proxy_on_vm_start", () => vmStart(ROOT_CONTEXT_ID, 0));
    return host;
  }

  /** The root context made at load; `configure` and `request` use it unless told another. */
  static readonly FIRST_ROOT = ROOT_CONTEXT_ID;

  /**
   * Creates another root context in the same VM, as Envoy does for each further plugin config with
   * the same vm_id and code (Istio sets no vm_id, so every WasmPlugin of one image shares the VM).
   */
  createRoot(): number {
    const id = this.nextContextId++;
    const create = this.exports.proxy_on_context_create;
    if (create) this.call("proxy_on_context_create", () => create(id, 0));
    return id;
  }

  /** Ends a root context as Envoy does when no listener holds its config any more: done, then delete. */
  deleteRoot(root: number): void {
    const { proxy_on_done: done, proxy_on_delete: remove } = this.exports;
    if (done) this.call("proxy_on_done", () => done(root));
    if (remove) this.call("proxy_on_delete", () => remove(root));
  }

  /** Delivers a plugin configuration (JSON text, as Istio sends it) to a root and reports acceptance. */
  configure(configuration: string | Uint8Array, root: number = ROOT_CONTEXT_ID): ConfigureResult {
    this.configuration = typeof configuration === "string" ? Buffer.from(configuration, "utf8") : configuration;
    const first = this.logs.length;
    const configure = this.exports.proxy_on_configure;
    const accepted = configure ? this.call("proxy_on_configure", () => configure(root, this.configuration.byteLength)) : 1;
    return { accepted: accepted === 1, logs: this.logs.slice(first) };
  }

  /**
   * Runs one request's headers through the filter (under a root's config: the first one unless
   * told, as a number or in `options`) and returns them as the upstream would see them.
   */
  request(headers: HeaderMap | Iterable<[string, string | Uint8Array]>, rootOrOptions: number | RequestOptions = {}): RequestResult {
    const options = typeof rootOrOptions === "number" ? { root: rootOrOptions } : rootOrOptions;
    const root = options.root ?? ROOT_CONTEXT_ID;
    const map = headers instanceof HeaderMap ? headers : new HeaderMap(headers);
    const id = this.nextContextId++;
    const first = this.logs.length;
    this.activeHeaders = map;
    this.requestProperties = options.properties;
    try {
      const create = this.exports.proxy_on_context_create;
      if (create) this.call("proxy_on_context_create", () => create(id, root));
      const status = this.call("proxy_on_request_headers", () => this.exports.proxy_on_request_headers(id, map.size, 1));
      if (this.exports.proxy_on_done) this.call("proxy_on_done", () => this.exports.proxy_on_done!(id));
      if (this.exports.proxy_on_log) this.call("proxy_on_log", () => this.exports.proxy_on_log!(id));
      if (this.exports.proxy_on_delete) this.call("proxy_on_delete", () => this.exports.proxy_on_delete!(id));
      return { headers: map, status, logs: this.logs.slice(first) };
    } finally {
      this.activeHeaders = null;
      this.requestProperties = undefined;
    }
  }

  /** Size of the module's linear memory in bytes: it only ever grows, so it shows leaks. */
  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** Calls an export that is no Proxy-Wasm hook (the CLI's `cli_*`); a trap is a PluginTrap, as for hooks. */
  callExport(name: string, ...args: number[]): number {
    const exported = (this.exports as unknown as Record<string, unknown>)[name];
    if (typeof exported !== "function") throw new Error(`the module exports no function ${name}`);
    return this.call(name, () => Number((exported as (...a: number[]) => unknown)(...args) ?? 0));
  }

  /** The module's linear memory; a view of it detaches when the memory grows, so take one after each call. */
  get linearMemory(): WebAssembly.Memory {
    return this.exports.memory;
  }

  get hasTrapped(): boolean {
    return this.trapped;
  }

  private call<T>(hook: string, run: () => T): T {
    if (this.trapped) throw new Error(`plugin already trapped; ${hook} refused (Envoy would fail the VM)`);
    this.vmEntries.set(hook, (this.vmEntries.get(hook) ?? 0) + 1);
    const first = this.logs.length;
    try {
      return run();
    } catch (error) {
      this.trapped = true;
      throw new PluginTrap(hook, error instanceof ProcExit ? "proc_exit" : error, this.logs.slice(first));
    }
  }

  private get memory(): DataView {
    return new DataView(this.exports.memory.buffer);
  }

  private readBytes(ptr: number, size: number): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer, ptr, size).slice();
  }

  private readText(ptr: number, size: number): string {
    return Buffer.from(this.readBytes(ptr, size)).toString("utf8");
  }

  /** Hands bytes to the module the way Envoy does: module malloc, then pointer and size to the out-params. */
  private returnBytes(bytes: Uint8Array, ptrOut: number, sizeOut: number): number {
    const ptr = bytes.byteLength === 0 ? 0 : this.call("malloc", () => this.exports.malloc(bytes.byteLength));
    if (bytes.byteLength > 0) new Uint8Array(this.exports.memory.buffer, ptr, bytes.byteLength).set(bytes);
    this.memory.setUint32(ptrOut, ptr, true);
    this.memory.setUint32(sizeOut, bytes.byteLength, true);
    return WasmResult.Ok;
  }

  private headerMap(type: number): HeaderMap | null {
    return type === HeaderMapType.RequestHeaders ? this.activeHeaders : null;
  }

  private count(name: string): void {
    this.importCalls.set(name, (this.importCalls.get(name) ?? 0) + 1);
  }

  private importsFor(module: WebAssembly.Module): WebAssembly.Imports {
    const env: Record<string, (...args: number[]) => number | void> = {
      proxy_log: (level, ptr, size) => {
        this.logs.push({ level: LOG_LEVELS[level] ?? "critical", message: this.readText(ptr, size) });
        return WasmResult.Ok;
      },
      proxy_get_property: (pathPtr, pathSize, ptrOut, sizeOut) => {
        const path = this.readText(pathPtr, pathSize);
        if (path === ROOT_ID_PROPERTY) return this.returnBytes(Buffer.from(this.rootId, "utf8"), ptrOut, sizeOut);
        const value = this.requestProperties?.get(path) ?? this.properties.get(path);
        if (value === undefined) return WasmResult.NotFound;
        return this.returnBytes(value, ptrOut, sizeOut);
      },
      proxy_get_shared_data: (keyPtr, keySize, ptrOut, sizeOut, casOut) => {
        const entry = this.sharedData.get(this.readText(keyPtr, keySize));
        if (entry === undefined) return WasmResult.NotFound;
        this.memory.setUint32(casOut, entry.cas, true);
        return this.returnBytes(entry.value, ptrOut, sizeOut);
      },
      proxy_set_shared_data: (keyPtr, keySize, valuePtr, valueSize, cas) =>
        this.sharedData.set(this.readText(keyPtr, keySize), this.readBytes(valuePtr, valueSize), cas >>> 0),
      proxy_get_header_map_pairs: (type, ptrOut, sizeOut) => {
        const map = this.headerMap(type);
        if (map === null) return WasmResult.BadArgument;
        return this.returnBytes(map.serialized(), ptrOut, sizeOut);
      },
      proxy_get_buffer_bytes: (type, start, length, ptrOut, sizeOut) => {
        if (type !== BufferType.PluginConfiguration) return WasmResult.NotFound;
        if (this.configuration.byteLength === 0) return WasmResult.NotFound;
        return this.returnBytes(this.configuration.subarray(start, start + length), ptrOut, sizeOut);
      },
      proxy_get_header_map_value: (type, keyPtr, keySize, ptrOut, sizeOut) => {
        const map = this.headerMap(type);
        if (map === null) return WasmResult.BadArgument;
        const value = map.get(this.readText(keyPtr, keySize));
        if (value === undefined) return WasmResult.NotFound;
        return this.returnBytes(value, ptrOut, sizeOut);
      },
      proxy_replace_header_map_value: (type, keyPtr, keySize, valuePtr, valueSize) => {
        const map = this.headerMap(type);
        if (map === null) return WasmResult.BadArgument;
        map.replace(this.readText(keyPtr, keySize), this.readBytes(valuePtr, valueSize));
        return WasmResult.Ok;
      },
      proxy_add_header_map_value: (type, keyPtr, keySize, valuePtr, valueSize) => {
        const map = this.headerMap(type);
        if (map === null) return WasmResult.BadArgument;
        map.add(this.readText(keyPtr, keySize), this.readBytes(valuePtr, valueSize));
        return WasmResult.Ok;
      },
      proxy_remove_header_map_value: (type, keyPtr, keySize) => {
        const map = this.headerMap(type);
        if (map === null) return WasmResult.BadArgument;
        map.remove(this.readText(keyPtr, keySize));
        return WasmResult.Ok;
      },
    };
    env.proxy_define_metric = (_type, namePtr, nameSize, idOut) => {
      const name = this.readText(namePtr, nameSize);
      let id = this.metricIds.get(name);
      if (id === undefined) {
        id = this.metricNames.push(name) - 1;
        this.metricIds.set(name, id);
        this.counters.set(name, 0);
      }
      this.memory.setUint32(idOut, id, true);
      return WasmResult.Ok;
    };
    // The offset is an i64: it arrives from WebAssembly as a BigInt.
    const incrementMetric = (id: number, offset: bigint) => {
      const name = this.metricNames[id];
      if (name === undefined) return WasmResult.NotFound;
      this.counters.set(name, this.counters.get(name)! + Number(offset));
      return WasmResult.Ok;
    };
    // The out-pointer takes a u64: nanoseconds since the epoch.
    const currentTime = (ptr: number) => {
      this.memory.setBigUint64(ptr, this.clock.now(), true);
      return WasmResult.Ok;
    };
    const wasi = {
      proc_exit: () => {
        throw new ProcExit();
      },
    };
    const provided: Record<string, Record<string, (...args: never[]) => number | void>> = {
      env: { ...env, proxy_increment_metric: incrementMetric, proxy_get_current_time_nanoseconds: currentTime },
      wasi_unstable: wasi,
    };
    const imports: Record<string, Record<string, (...args: never[]) => number | void>> = {};
    for (const { module: moduleName, name } of WebAssembly.Module.imports(module)) {
      const implementation = provided[moduleName]?.[name];
      imports[moduleName] ??= {};
      imports[moduleName][name] = (...args: never[]) => {
        this.count(name);
        if (!implementation) throw new Error(`test host does not implement import ${moduleName}.${name}`);
        return implementation(...args);
      };
    }
    return imports;
  }
}
