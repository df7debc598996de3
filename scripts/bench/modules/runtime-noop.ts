// A filter written the SDK's usual way with nothing to do: a RootContext and a Context whose
// onRequestHeaders returns Continue. What @solo-io/proxy-runtime's exports cost per request as published:
// a Context object and map entry per request, and debug log lines built on every hook.
import { Context, FilterHeadersStatusValues, RootContext, registerRootContext } from "@solo-io/proxy-runtime/assembly";

class NoopRoot extends RootContext {
  // The SDK's own onConfigure reads the configuration with a wrong out-pointer; this one needs none.
  onConfigure(configuration_size: u32): bool {
    return true;
  }

  createContext(context_id: u32): Context {
    return new NoopRequest(context_id, this);
  }
}

class NoopRequest extends Context {
  onRequestHeaders(header_count: u32, end_of_stream: bool): FilterHeadersStatusValues {
    return FilterHeadersStatusValues.Continue;
  }
}

export * from "@solo-io/proxy-runtime/assembly/exports";
export { malloc } from "@solo-io/proxy-runtime/assembly/malloc";

// Registered under the empty root id, which the benchmark's Envoy config uses (as Istio does).
registerRootContext((context_id: u32): RootContext => new NoopRoot(context_id), "");
