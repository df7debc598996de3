/** Media types that Istio's Wasm image fetcher (pkg/wasm/imagefetcher.go) tells apart. */
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_LAYER_TAR_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
export const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

/** The "oci" variant of the Wasm image spec: the module's raw bytes as a layer, next to a runtime config layer. */
export const WASM_CONTENT_LAYER = "application/vnd.module.wasm.content.layer.v1+wasm";
export const WASM_RUNTIME_CONFIG = "application/vnd.module.wasm.config.v1+json";

export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

/** What a client accepts when it asks a registry for a manifest by tag. */
export const MANIFEST_ACCEPT = [OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_LIST].join(", ");
