// AdmissionReview v1 requests as the kube-apiserver sends them for a WasmPlugin, for the webhook's
// tests and its benchmark.
import { randomUUID } from "node:crypto";

export const OUR_IMAGE = "oci://registry.example.com/team/hash-tagging:0.1.0";

/** A WasmPlugin object; `pluginConfig` undefined leaves the field out. */
export function wasmPlugin(url: string, pluginConfig?: unknown, name = "hash-tagging"): Record<string, unknown> {
  return {
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "WasmPlugin",
    metadata: { name, namespace: "istio-system" },
    spec: {
      selector: { matchLabels: { istio: "ingressgateway" } },
      url,
      phase: "AUTHN",
      ...(pluginConfig === undefined ? {} : { pluginConfig }),
    },
  };
}

/** The review of `object` (and `oldObject` on UPDATE and DELETE) with a fresh uid. */
export function admissionReview(
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT",
  object: Record<string, unknown> | null,
  oldObject: Record<string, unknown> | null = null,
) {
  const subject = (object ?? oldObject ?? {}) as { metadata?: { name?: string; namespace?: string } };
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: randomUUID(),
      kind: { group: "extensions.istio.io", version: "v1alpha1", kind: "WasmPlugin" },
      resource: { group: "extensions.istio.io", version: "v1alpha1", resource: "wasmplugins" },
      name: subject.metadata?.name,
      namespace: subject.metadata?.namespace,
      operation,
      userInfo: { username: "admin", groups: ["system:masters"] },
      object,
      oldObject,
      dryRun: false,
    },
  };
}
