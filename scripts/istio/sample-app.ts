// The sample app without a kubelet: each instance of deploy/istio/sample-app.yaml runs as a local
// process on a loopback address of its own, and a WorkloadEntry with its Deployment's labels stands in
// for its pod. Istio lets a Kubernetes Service select WorkloadEntries, so the shipped Services and the
// DestinationRules' `version` subsets find them as they would find pods.
import { join } from "node:path";
import { REPO_ROOT } from "../lib/paths.ts";
import { instanceName, instances, SERVICE_PORT, TAG_HEADER, USER_HEADER, type Instance } from "../lib/envoy/topology.ts";
import { kubectl } from "./kubectl.ts";
import { startDetached, waitFor } from "./processes.ts";

const MOCK_SERVICE = join(REPO_ROOT, "envoy", "app", "mock-service.ts");

export interface SampleInstance extends Instance {
  /** Its own loopback address, standing in for a pod IP (127.0.0.11, .12, ...). */
  ip: string;
}

export function sampleInstances(): SampleInstance[] {
  return instances().map((instance, i) => ({ ...instance, ip: `127.0.0.${11 + i}` }));
}

/** The stand-ins for the pods: labels as in sample-app.yaml's Deployments. */
function workloadEntries(list: SampleInstance[]): string {
  return list.map((i) => [
    "apiVersion: networking.istio.io/v1",
    "kind: WorkloadEntry",
    "metadata:",
    `  name: ${instanceName(i)}`,
    "  namespace: default",
    "spec:",
    `  address: ${i.ip}`,
    `  labels: {app: ${i.app}, version: ${i.version}, ASM_TRAFFIC_TAG: ${i.version}}`,
    "",
  ].join("\n")).join("---\n");
}

/**
 * Starts one process per instance, listening on its address and SERVICE_PORT; `meshProxy(app)` names the
 * host:port that carries its upstream call (its sidecar), as `mesh_proxy` does in the container.
 */
export async function startSampleApp(stateDir: string, kubeconfig: string, meshProxy: (app: string) => string | undefined): Promise<SampleInstance[]> {
  const list = sampleInstances();
  for (const i of list) {
    const proxy = meshProxy(i.app);
    const proc = startDetached(stateDir, instanceName(i), process.execPath, ["--import", "tsx", MOCK_SERVICE], {
      cwd: REPO_ROOT,
      env: {
        app: i.app, version: i.version, HOST: i.ip, PORT: String(SERVICE_PORT),
        upstream_url: i.upstream ? `http://${i.upstream}:${SERVICE_PORT}/` : "",
        mesh_proxy: proxy ?? "",
        forward_headers: [USER_HEADER, TAG_HEADER].join(","),
      },
    });
    await waitFor(`${instanceName(i)} on ${i.ip}:${SERVICE_PORT}`, async () => {
      await fetch(`http://${i.ip}:${SERVICE_PORT}/`, { signal: AbortSignal.timeout(2000) });
      return true;
    }, 30_000, proc);
  }
  await kubectl(kubeconfig, ["apply", "-f", "-"], workloadEntries(list));
  return list;
}
