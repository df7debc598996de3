// A filter written the SDK's usual way with nothing to do: a RootContext and a Context whose
// onRequestHeaders returns Continue. What @solo-io/proxy-runtime's context model costs per request.
import { Context, FilterHeadersStatusValues, RootContext, registerRootContext } from "@solo-io/proxy-runtime/assembly";

class NoopRoot extends RootContext {
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

registerRootContext((context_id: u32): RootContext => new NoopRoot(context_id), "noop");
