// Proxy-Wasm ABI 0.2.1 constants used by the test host (values from the ABI specification).
export const WasmResult = { Ok: 0, NotFound: 1, BadArgument: 2 } as const;
export const HeaderMapType = { RequestHeaders: 0 } as const;
export const BufferType = { PluginConfiguration: 7 } as const;
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "critical"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
