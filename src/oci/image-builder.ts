/** The manifest a registry receives: Docker v2 schema 2, or OCI. Istio's fetcher reads both. */
export type ManifestFormat = "docker" | "oci";

export interface BuildRequest {
  /** Directory sent as the build context (holds Dockerfile, .dockerignore, build/plugin.wasm). */
  contextDir: string;
  /** Dockerfile path, relative to contextDir or absolute. */
  dockerfile: string;
  /** Full image name to tag the result with. */
  image: string;
  /** Seconds since the epoch stamped on the image and its files, so equal inputs give equal digests. */
  sourceDateEpoch: number;
}

export interface PushRequest {
  image: string;
  format: ManifestFormat;
  /** False lets a local registry answer over plain HTTP or with a self-signed certificate. */
  tlsVerify: boolean;
}

export interface ImageBuilder {
  readonly name: "docker" | "buildah";
  build(request: BuildRequest): Promise<void>;
  /** Pushes and returns the manifest digest (`sha256:...`), the value `WasmPlugin.sha256` checks. */
  push(request: PushRequest): Promise<string>;
}
