// The one place the local Istio chain is pinned, and where its binaries are cached (outside the repo, so
// every clone on a machine shares one build of several minutes).
import { homedir } from "node:os";
import { join } from "node:path";

/** istio.io/istio as the Go module proxy serves it: pilot-discovery (istiod) and pilot-agent. */
export const ISTIO_VERSION = "v0.0.0-20260827124520-eed52ebb66ad";
/** k8s.io/kubernetes: kube-apiserver and a kubectl of the same version. */
export const KUBERNETES_VERSION = "v1.36.1";
/** The published k8s.io/* staging modules that go with KUBERNETES_VERSION. */
export const KUBERNETES_STAGING_VERSION = "v0.36.1";

const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "hash-tagging");

export const ISTIO_DIR = join(cacheRoot, "istio", ISTIO_VERSION);
export const KUBERNETES_DIR = join(cacheRoot, "kubernetes", KUBERNETES_VERSION);

export const BINARIES = {
  pilotDiscovery: join(ISTIO_DIR, "pilot-discovery"),
  pilotAgent: join(ISTIO_DIR, "pilot-agent"),
  kubeApiserver: join(KUBERNETES_DIR, "kube-apiserver"),
  kubectl: join(KUBERNETES_DIR, "kubectl"),
};

/** Files of the istio module the chain needs at run time, copied next to its binaries. */
export const ISTIO_FILES = {
  /** Istio's CRDs (WasmPlugin, Gateway, VirtualService, ...). */
  crds: { from: "manifests/charts/base/files/crd-all.gen.yaml", to: join(ISTIO_DIR, "crd-all.gen.yaml") },
  /** The Envoy bootstrap template pilot-agent renders. */
  bootstrap: { from: "tools/packaging/common/envoy_bootstrap.json", to: join(ISTIO_DIR, "envoy_bootstrap.json") },
};

export const BUILD_COMMAND = "npm run istio:build";
