// The sample app without a kubelet: each instance of deploy/istio/base/sample-app.yaml runs as a local
// process on a loopback address of its own, and a WorkloadEntry with its Deployment's labels stands in
// for its pod. Istio lets a Kubernetes Service select WorkloadEntries, so the shipped Services and the
// DestinationRules' lane subsets find them as they would find pods. An instance with a sidecar listens on
// a port of its own behind it: the sidecar's inbound listener takes the service port on its address.
import { join } from "node:path";
import { type AppVariant, type Instance, instanceName, instances, SERVICE_PORT, SERVICES, type Service } from "../lib/envoy/topology.ts";
import { REPO_ROOT } from "../lib/paths.ts";
import { kubectl } from "./kubectl.ts";
import { startDetached, waitFor } from "./processes.ts";

const MOCK_SERVICE = join(REPO_ROOT, "envoy", "app", "mock-service.ts");

/** Where an app listens behind its sidecar, on its pod's address (the sidecar's ingress defaultEndpoint). */
export const APP_PORT_BEHIND_SIDECAR = 8080;

export interface SampleInstance extends Instance {
  /** Its own loopback address, standing in for a pod IP (127.0.0.11, .12, ...). */
  ip: string;
  /** Whether it has a sidecar: the instances that call another service. */
  sidecar: boolean;
  /** The port the app itself listens on. */
  appPort: number;
}

/** The instances of `services` (the shipped sample app's by default), each on an address of its own. */
export function sampleInstances(services: readonly Service[] = SERVICES): SampleInstance[] {
  return instances(services).map((instance, i) => {
    const sidecar = instance.upstream !== undefined;
    return { ...instance, ip: `127.0.0.${11 + i}`, sidecar, appPort: sidecar ? APP_PORT_BEHIND_SIDECAR : SERVICE_PORT };
  });
}

/** The stand-ins for the pods: labels as in sample-app.yaml's Deployments. */
function workloadEntries(list: SampleInstance[]): string {
  return list
    .map((i) =>
      [
        "apiVersion: networking.istio.io/v1",
        "kind: WorkloadEntry",
        "metadata:",
        `  name: ${instanceName(i)}`,
        "  namespace: default",
        "spec:",
        `  address: ${i.ip}`,
        `  labels: {app: ${i.app}, version: ${i.version}, ASM_TRAFFIC_TAG: ${i.version}}`,
        "",
      ].join("\n"),
    )
    .join("---\n");
}

/**
 * Starts one process per instance of `list`, listening on its address and port, forwarding what `app`
 * forwards; `meshProxy(instance)` names the host:port that carries its upstream call (its sidecar), as
 * `mesh_proxy` does in the container.
 */
export async function startSampleApp(
  stateDir: string,
  kubeconfig: string,
  list: SampleInstance[],
  meshProxy: (instance: SampleInstance) => string | undefined,
  app: AppVariant,
): Promise<SampleInstance[]> {
  for (const i of list) {
    const proxy = meshProxy(i);
    const proc = startDetached(stateDir, instanceName(i), process.execPath, ["--import", "tsx", MOCK_SERVICE], {
      cwd: REPO_ROOT,
      env: {
        app: i.app,
        version: i.version,
        HOST: i.ip,
        PORT: String(i.appPort),
        upstream_url: i.upstream ? `http://${i.upstream}:${SERVICE_PORT}/` : "",
        mesh_proxy: proxy ?? "",
        forward_headers: app.forwardHeaders.join(","),
      },
    });
    await waitFor(
      `${instanceName(i)} on ${i.ip}:${i.appPort}`,
      async () => {
        await fetch(`http://${i.ip}:${i.appPort}/`, { signal: AbortSignal.timeout(2000) });
        return true;
      },
      30_000,
      proc,
    );
  }
  await kubectl(kubeconfig, ["apply", "-f", "-"], workloadEntries(list));
  return list;
}
