// Entry: exports only what Envoy must call. Each exported per-request hook is one more VM entry per
// request: context creation and deletion tie a request to its root's configuration (lifecycle.ts);
// the host's copies enter through malloc. (Not index.ts: json-as #216.)
export { proxy_abi_version_0_2_1 } from "@solo-io/proxy-runtime/assembly/exports";
export { proxy_on_configure, proxy_on_context_create, proxy_on_delete, proxy_on_request_headers } from "./lifecycle";
export { malloc } from "./host/buffers";
