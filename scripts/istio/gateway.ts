// The ingress gateway: pilot-agent in router mode, as istio-ingressgateway runs in a cluster. The agent
// fetches the WasmPlugin's oci:// image itself and hands Envoy a local file.
import { existsSync, mkdirSync } from "node:fs";
import { type Agent, startAgent } from "./agent.ts";

/**
 * The gateway's own address. It must differ from every endpoint address of the services: istiod looks a
 * proxy up by its IP, and a match would give the gateway that workload's labels instead of its own.
 */
const GATEWAY_NODE_IP = "127.0.0.2";
/** Where the gateway's Envoy serves the Gateway's port (deploy.ts adds it as the Gateway's `bind`). */
export const GATEWAY_BIND = "127.0.0.1";
/** pilot-agent keeps fetched Wasm modules here, a path fixed in its code; without it, it denies all. */
export const AGENT_WASM_CACHE = "/var/lib/istio/data";

/** `name`: the agent's process and folder name; a gateway started later (a new pod of the same Deployment) takes another. */
export function startGateway(
  stateDir: string,
  xdsAddress: string,
  registryHost: string,
  log: (line: string) => void,
  name = "gateway",
): Promise<Agent> {
  if (!existsSync(AGENT_WASM_CACHE)) mkdirSync(AGENT_WASM_CACHE, { recursive: true });
  return startAgent(
    stateDir,
    xdsAddress,
    {
      name,
      mode: "router",
      ip: GATEWAY_NODE_IP,
      namespace: "istio-system",
      serviceAccount: "istio-ingressgateway",
      labels: { istio: "ingressgateway", app: "istio-ingressgateway" },
      registryHost,
    },
    log,
  );
}
