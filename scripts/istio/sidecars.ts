// Sidecars without iptables: each calling service (mocka, mockb) gets pilot-agent in sidecar mode with
// interception mode NONE, and a Sidecar resource whose egress listener binds an address of its own
// (captureMode NONE). The app sends its upstream call there (`mesh_proxy`), where a pod's iptables would
// have sent it; istiod routes it by the per-service VirtualServices and DestinationRules.
import { connect } from "node:net";
import { instanceName, SERVICE_PORT, SERVICES } from "../lib/envoy/topology.ts";
import { startAgent } from "./agent.ts";
import { kubectl } from "./kubectl.ts";
import { waitFor } from "./processes.ts";
import { sampleInstances } from "./sample-app.ts";

export interface Sidecars {
  /** host:port of the app's sidecar egress listener, for apps that call an upstream. */
  meshProxy(app: string): string | undefined;
  /** Resolves once every sidecar's egress listener accepts connections. */
  ready(): Promise<void>;
}

/** The sidecar's egress address: the app's own 127.0.0.N moved to 127.0.1.N (its port is the app's). */
const egressAddress = (ip: string) => ip.replace(/^127\.0\.0\./, "127.0.1.");

function sidecarResource(app: string, bind: string): string {
  return [
    "apiVersion: networking.istio.io/v1",
    "kind: Sidecar",
    "metadata:",
    `  name: ${app}`,
    "  namespace: default",
    "spec:",
    `  workloadSelector: {labels: {app: ${app}}}`,
    "  egress:",
    `    - port: {number: ${SERVICE_PORT}, protocol: HTTP, name: http}`,
    `      bind: ${bind}`,
    "      captureMode: NONE",
    "      hosts: [\"./*\"]",
    "",
  ].join("\n");
}

export async function startSidecars(stateDir: string, kubeconfig: string, xdsAddress: string, log: (line: string) => void): Promise<Sidecars> {
  const callers = sampleInstances().filter((i) => SERVICES.find((s) => s.app === i.app)?.upstream);
  const binds = new Map(callers.map((i) => [i.app, egressAddress(i.ip)]));
  await kubectl(kubeconfig, ["apply", "-f", "-"], callers.map((i) => sidecarResource(i.app, binds.get(i.app)!)).join("---\n"));
  for (const i of callers) {
    await startAgent(stateDir, xdsAddress, {
      name: `sidecar-${instanceName(i)}`,
      mode: "sidecar",
      ip: i.ip,
      namespace: "default",
      serviceAccount: "default",
      labels: { app: i.app, version: i.version },
      env: { ISTIO_META_INTERCEPTION_MODE: "NONE" },
    }, log);
  }
  return {
    meshProxy: (app) => (binds.has(app) ? `${binds.get(app)}:${SERVICE_PORT}` : undefined),
    ready: async () => {
      for (const [app, bind] of binds) {
        await waitFor(`${app}'s sidecar egress listener on ${bind}:${SERVICE_PORT}`, () => new Promise<true>((resolve, reject) => {
          const socket = connect(SERVICE_PORT, bind, () => { socket.destroy(); resolve(true); });
          socket.once("error", reject);
        }), 60_000);
      }
    },
  };
}
