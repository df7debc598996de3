// The validated `passThrough` block: how a sidecar carries the lane from the request that reached
// its app to the calls the app makes. Names are prepared as bytes once, as for the rules.
import { SlotKeys } from "./request/trace-slots";

/** Where the lane travels between a sidecar's inbound request and its app's outbound calls. */
export enum PassThroughMode {
  /** Recorded in shared data by trace value (the trace header), restored by it. */
  TraceId,
  /** Carried by the app itself, in a W3C `baggage` member. */
  Baggage,
}

/** Which side of the app a request is on. */
export enum Direction {
  /** Read per request from Envoy's listener direction. */
  Auto,
  /** Every request is one the app receives (a WasmPlugin with `match: [{mode: SERVER}]`). */
  Inbound,
  /** Every request is one the app sends (`match: [{mode: CLIENT}]`). */
  Outbound,
}

export const DEFAULT_SLOTS: u32 = 8192;
export const MAX_SLOTS: u32 = 1048576;
export const DEFAULT_TTL_SECONDS: u32 = 60;
export const MAX_TTL_SECONDS: u32 = 86400;

export class PassThrough {
  readonly routeHeaderBytes: ArrayBuffer;
  /** The trace header (trace-id mode) or the baggage member name (baggage mode), as bytes. */
  readonly carrierBytes: ArrayBuffer;
  readonly ttlNanos: u64;
  /** Trace-id mode's shared-data keys; null in baggage mode. */
  readonly keys: SlotKeys | null;

  constructor(
    readonly routeHeader: string,
    readonly mode: PassThroughMode,
    /** The trace header or the baggage member name. */
    readonly carrier: string,
    readonly direction: Direction,
    readonly slots: u32,
    readonly ttlSeconds: u32,
  ) {
    this.routeHeaderBytes = String.UTF8.encode(routeHeader);
    this.carrierBytes = String.UTF8.encode(carrier);
    this.ttlNanos = <u64>ttlSeconds * 1_000_000_000;
    this.keys = mode == PassThroughMode.TraceId ? new SlotKeys(routeHeader, carrier) : null;
  }
}
