// deploy/istio/webhook/: what the issue asks of each resource, and that the Kubernetes-side owner rule
// (CEL in matchConditions) selects exactly the WasmPlugins the webhook itself calls ours.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isOurImage } from "../../scripts/cli/webhook/ownership.ts";
import { find, loadWebhookManifests } from "../support/manifests.ts";

const manifests = loadWebhookManifests();
const deployment = find(manifests, "Deployment", "hash-tagging-webhook", "istio-system").doc;
const service = find(manifests, "Service", "hash-tagging-webhook", "istio-system").doc;
const configuration = find(manifests, "ValidatingWebhookConfiguration", "hash-tagging-webhook").doc;
const hook = configuration.webhooks[0];

test("Deployment: 2 replicas, non-root, read-only root filesystem, requests and limits, HTTPS probes on the served paths", () => {
  assert.equal(deployment.spec.replicas, 2);
  const pod = deployment.spec.template.spec;
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.ok(pod.securityContext.runAsUser > 0);
  const [container] = pod.containers;
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  assert.equal(container.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual(container.securityContext.capabilities.drop, ["ALL"]);
  for (const kind of ["requests", "limits"]) assert.deepEqual(Object.keys(container.resources[kind]).sort(), ["cpu", "memory"], kind);
  assert.deepEqual(container.readinessProbe.httpGet, { path: "/readyz", port: "https", scheme: "HTTPS" });
  assert.deepEqual(container.livenessProbe.httpGet, { path: "/healthz", port: "https", scheme: "HTTPS" });
  const arg = (name: string) => container.args[container.args.indexOf(name) + 1];
  assert.equal(container.args[0], "webhook");
  const mount = container.volumeMounts.find((m: { name: string }) => m.name === "tls").mountPath;
  assert.deepEqual([arg("--cert"), arg("--key")], [`${mount}/tls.crt`, `${mount}/tls.key`]);
  assert.equal(container.ports[0].containerPort, Number(arg("--port")));
  assert.equal(pod.volumes[0].secret.secretName, find(manifests, "Certificate", "hash-tagging-webhook").doc.spec.secretName);
});

test("Service and PodDisruptionBudget select the Deployment's pods; the webhook calls the Service's port", () => {
  const labels = deployment.spec.template.metadata.labels;
  assert.deepEqual(service.spec.selector, labels);
  assert.deepEqual(find(manifests, "PodDisruptionBudget", "hash-tagging-webhook", "istio-system").doc.spec, {
    minAvailable: 1,
    selector: { matchLabels: labels },
  });
  assert.deepEqual(hook.clientConfig.service, {
    namespace: "istio-system",
    name: service.metadata.name,
    path: "/validate",
    port: service.spec.ports[0].port,
  });
  assert.equal(service.spec.ports[0].targetPort, "https");
});

test("ValidatingWebhookConfiguration: WasmPlugin CREATE and UPDATE, Fail, a timeout, no side effects, v1, the CA from cert-manager", () => {
  assert.deepEqual(hook.rules, [
    {
      apiGroups: ["extensions.istio.io"],
      apiVersions: ["*"],
      operations: ["CREATE", "UPDATE"],
      resources: ["wasmplugins"],
      scope: "Namespaced",
    },
  ]);
  assert.equal(hook.failurePolicy, "Fail");
  assert.ok(hook.timeoutSeconds >= 1 && hook.timeoutSeconds <= 30, String(hook.timeoutSeconds));
  assert.equal(hook.sideEffects, "None");
  assert.deepEqual(hook.admissionReviewVersions, ["v1"]);
  assert.equal(configuration.metadata.annotations["cert-manager.io/inject-ca-from"], "istio-system/hash-tagging-webhook");
  const dnsNames = find(manifests, "Certificate", "hash-tagging-webhook").doc.spec.dnsNames;
  assert.ok(dnsNames.includes(`${service.metadata.name}.${service.metadata.namespace}.svc`), dnsNames.join(", "));
});

test("the matchCondition's CEL regex selects exactly the urls the webhook's default rule calls ours", () => {
  const { expression } = hook.matchConditions.find((c: { name: string }) => c.name === "our-image");
  const regex = /object\.spec\.url\.matches\('([^']+)'\)/.exec(expression)?.[1];
  assert.ok(regex, expression);
  assert.match(expression, /^has\(object\.spec\) && has\(object\.spec\.url\) && /, "a WasmPlugin without url must not make CEL fail");
  const urls = [
    "oci://registry.example.com/team/hash-tagging:0.1.0",
    "docker://r.example/hash-tagging@sha256:" + "c".repeat(64),
    "127.0.0.1:5000/hash-tagging:local",
    "hash-tagging",
    "oci://r.example/team/hash-tagging-fork:1",
    "oci://r.example/not-hash-tagging:1",
    "https://r.example/hash-tagging.wasm",
    "oci://r.example/other/rate-limiter:1",
    "file:///opt/hash-tagging.wasm",
  ];
  for (const url of urls) assert.equal(new RegExp(regex).test(url), isOurImage(url), url);
});
