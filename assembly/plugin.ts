// Entry: registers the root context and exports only the hooks the filter uses, since every
// exported hook is one more VM entry per request. (Not index.ts: json-as #216.)
import { RootContext, registerRootContext } from "@solo-io/proxy-runtime/assembly";
import { HashTaggingRoot } from "./filter";

export {
  proxy_abi_version_0_2_1,
  proxy_on_configure,
  proxy_on_context_create,
  proxy_on_delete,
  proxy_on_request_headers,
  proxy_on_vm_start,
} from "@solo-io/proxy-runtime/assembly/exports";
export { malloc } from "@solo-io/proxy-runtime/assembly/malloc";

registerRootContext((context_id: u32): RootContext => new HashTaggingRoot(context_id), "hash-tagging");
