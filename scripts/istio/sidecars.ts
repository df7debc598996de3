// Sidecars without iptables: each instance that calls another service (mocka's, mockb's) gets pilot-agent
// in sidecar mode with interception mode NONE, and a Sidecar resource with two listeners of captureMode
// NONE: an ingress listener on the pod's address and the service port, in front of the app (which listens
// behind it), and an egress listener on an address of its own, where the app sends its upstream call
// (`mesh_proxy`) as a pod's iptables would. istiod routes by the per-service VirtualServices and
// DestinationRules, and sends both listeners the pass-through WasmPlugin, whose image the agent pulls from
// the local registry.
import { existsSync, mkdirSync } from "node:fs";
import { connect } from "node:net";
import { instanceName, SERVICE_PORT } from "../lib/envoy/topology.ts";
import { type Agent, startAgent } from "./agent.ts";
import { AGENT_WASM_CACHE } from "./gateway.ts";
import { kubectl } from "./kubectl.ts";
import { waitFor } from "./processes.ts";
import { APP_PORT_BEHIND_SIDECAR, type SampleInstance } from "./sample-app.ts";

export interface Sidecars {
  /** host:port of the instance's sidecar egress listener, for instances that call an upstream. */
  meshProxy(instance: SampleInstance): string | undefined;
  /** The agents, by instance name (mocka-v1, ...). */
  agents: Map<string, Agent>;
  /** Resolves once every sidecar's ingress and egress listeners accept connections. */
  ready(): Promise<void>;
}

/** The sidecar's egress address: the app's own 127.0.0.N moved to 127.0.1.N (its port is the app's). */
const egressAddress = (ip: string) => ip.replace(/^127\.0\.0\./, "127.0.1.");

/** One per instance (its app and version): two versions of a service listen on addresses of their own. */
function sidecarResource(instance: SampleInstance): string {
  const ip = instance.ip;
  return [
    "apiVersion: networking.istio.io/v1",
    "kind: Sidecar",
    "metadata:",
    `  name: ${instanceName(instance)}`,
    "  namespace: default",
    "spec:",
    `  workloadSelector: {labels: {app: ${instance.app}, version: ${instance.version}}}`,
    "  ingress:",
    `    - port: {number: ${SERVICE_PORT}, protocol: HTTP, name: http}`,
    `      bind: ${ip}`,
    // 0.0.0.0: forward to the instance's own address, where the app listens behind its sidecar.
    `      defaultEndpoint: 0.0.0.0:${APP_PORT_BEHIND_SIDECAR}`,
    "      captureMode: NONE",
    "  egress:",
    `    - port: {number: ${SERVICE_PORT}, protocol: HTTP, name: http}`,
    `      bind: ${egressAddress(ip)}`,
    "      captureMode: NONE",
    '      hosts: ["./*"]',
    "",
  ].join("\n");
}

function accepts(host: string, port: number): Promise<true> {
  return new Promise<true>((resolve, reject) => {
    const socket = connect(port, host, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", reject);
  });
}

/** A sidecar for each instance of `list` that calls another service. */
export async function startSidecars(
  stateDir: string,
  kubeconfig: string,
  xdsAddress: string,
  registryHost: string,
  list: SampleInstance[],
  log: (line: string) => void,
): Promise<Sidecars> {
  const callers = list.filter((i) => i.sidecar);
  if (!existsSync(AGENT_WASM_CACHE)) mkdirSync(AGENT_WASM_CACHE, { recursive: true });
  await kubectl(kubeconfig, ["apply", "-f", "-"], callers.map(sidecarResource).join("---\n"));
  const agents = new Map<string, Agent>();
  for (const i of callers) {
    agents.set(
      instanceName(i),
      await startAgent(
        stateDir,
        xdsAddress,
        {
          name: `sidecar-${instanceName(i)}`,
          mode: "sidecar",
          ip: i.ip,
          namespace: "default",
          serviceAccount: "default",
          labels: { app: i.app, version: i.version, ASM_TRAFFIC_TAG: i.version },
          registryHost,
          env: { ISTIO_META_INTERCEPTION_MODE: "NONE" },
        },
        log,
      ),
    );
  }
  return {
    meshProxy: (instance) => (instance.sidecar ? `${egressAddress(instance.ip)}:${SERVICE_PORT}` : undefined),
    agents,
    ready: async () => {
      for (const i of callers) {
        for (const [what, host] of [
          ["ingress", i.ip],
          ["egress", egressAddress(i.ip)],
        ]) {
          await waitFor(
            `${instanceName(i)}'s sidecar ${what} listener on ${host}:${SERVICE_PORT}`,
            () => accepts(host, SERVICE_PORT),
            60_000,
          );
        }
      }
    },
  };
}
