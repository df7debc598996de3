// Proxy-Wasm ABI 0.2.1 constants used by the test host (values from the ABI specification).
export const WasmResult = { Ok: 0, NotFound: 1, BadArgument: 2, CasMismatch: 8 } as const;
export const HeaderMapType = { RequestHeaders: 0 } as const;
export const BufferType = { PluginConfiguration: 7 } as const;
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "critical"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** Envoy's per-request listener direction property (int64 LE: 0 unspecified, 1 INBOUND, 2 OUTBOUND). */
export const LISTENER_DIRECTION_PATH = ["xds", "listener_direction"] as const;
export const TrafficDirection = { Unspecified: 0, Inbound: 1, Outbound: 2 } as const;
