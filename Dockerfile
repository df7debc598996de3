# The filter as an image in the Wasm image spec's "compat" format, which Istio's WasmPlugin pulls from
# `oci://...`: one layer holding /plugin.wasm. Build it with `npm run image` (docker or buildah).
FROM scratch
COPY build/plugin.wasm /plugin.wasm
