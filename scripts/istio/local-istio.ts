// The whole local chain in order: control plane, registry and image, the shipped manifests, the sample
// app, then the ingress gateway; and its teardown. Used by `npm run istio:up`/`istio:down` and the tests.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type PassThroughMode, type Service, SIDECAR_MODES } from "../lib/envoy/topology.ts";
import type { Agent } from "./agent.ts";
import { type ControlPlane, missingPrerequisites, startControlPlane } from "./control-plane.ts";
import { applyBaggagePassThrough, applyLaneGroup, applyShipped, type PushedImage, pushImage, setGatewayPluginConfig } from "./deploy.ts";
import { AGENT_WASM_CACHE, GATEWAY_BIND, startGateway } from "./gateway.ts";
import { inUse, stopAll, waitFor } from "./processes.ts";
import { startRegistry } from "./registry.ts";
import { type SampleInstance, sampleInstances, startSampleApp } from "./sample-app.ts";
import { startSidecars } from "./sidecars.ts";
import { ask } from "./walkthrough.ts";

/** The Gateway's port in deploy/istio/base/gateway.yaml; the gateway's Envoy listens on it as in a pod. */
export const GATEWAY_PORT = 80;
const IMAGE_TAG = "local";

export interface LocalIstio extends ControlPlane {
  stateDir: string;
  registryHost: string;
  pushed: PushedImage;
  instances: SampleInstance[];
  gateway: Agent;
  gatewayUrl: string;
  /** The calling instances' sidecars, by instance name. */
  sidecars: Map<string, Agent>;
  mode: PassThroughMode;
}

/** What a chain may run instead of the shipped deployment (each field unset: the shipped one). */
export interface ChainVariant {
  /** The sample app's services and versions (topology.ts's SERVICES). */
  services?: readonly Service[];
  /** A lane group (parsed YAML, as `npx hash-tagging lanes` reads it) replacing deploy/istio/lane-group.yaml's resources. */
  laneGroup?: object;
  /** The gateway filter's pluginConfig instead of deploy/istio/base/wasmplugin.yaml's. */
  gatewayPluginConfig?: object;
}

/** Marks that this chain created the agent's fixed Wasm cache folder, so that teardown removes it again. */
const createdCacheMark = (stateDir: string) => join(stateDir, "created-wasm-cache");

/**
 * `mode`: the sidecars' pass-through (the shipped trace-id mode, or baggage with the OpenTelemetry app);
 * `variant`: other services, lane group or gateway config, applied before any proxy starts.
 */
export async function startLocalIstio(
  stateDir: string,
  log: (line: string) => void,
  mode: PassThroughMode = "trace-id",
  variant: ChainVariant = {},
): Promise<LocalIstio> {
  const missing = missingPrerequisites();
  if (missing.length > 0) throw new Error(`cannot start the local Istio; missing: ${missing.join("; ")}`);
  if (await inUse(GATEWAY_BIND, GATEWAY_PORT)) {
    throw new Error(
      `${GATEWAY_BIND}:${GATEWAY_PORT}, the gateway's port, is in use (by \`npm run istio:up\`? stop it with \`npm run istio:down\`)`,
    );
  }
  mkdirSync(stateDir, { recursive: true });
  const root = AGENT_WASM_CACHE.split("/").slice(0, 4).join("/");
  if (!existsSync(root)) writeFileSync(createdCacheMark(stateDir), root);
  const controlPlane = await startControlPlane(stateDir, log);
  log("starting the registry and pushing the plugin image (npm run image:push)");
  const registryHost = await startRegistry(stateDir);
  const pushed = await pushImage(registryHost, IMAGE_TAG);
  log(`kubectl apply -k deploy/istio/upstream, its images: set to ${pushed.image}`);
  await applyShipped(controlPlane.kubeconfig, pushed);
  if (mode === "baggage") {
    log("replacing the sidecars' pass-through by baggage mode (npx hash-tagging lanes)");
    await applyBaggagePassThrough(controlPlane.kubeconfig, pushed);
  }
  if (variant.laneGroup) {
    log("replacing the shipped lane group's resources by another group's (npx hash-tagging lanes)");
    await applyLaneGroup(controlPlane.kubeconfig, pushed, variant.laneGroup);
  }
  if (variant.gatewayPluginConfig) {
    log("patching the gateway's WasmPlugin with another pluginConfig");
    await setGatewayPluginConfig(controlPlane.kubeconfig, variant.gatewayPluginConfig);
  }
  log(`starting the sample app (the ${SIDECAR_MODES[mode].app.name} app) and its sidecars`);
  const list = sampleInstances(variant.services);
  const sidecars = await startSidecars(stateDir, controlPlane.kubeconfig, controlPlane.xdsAddress, registryHost, list, log);
  const instances = await startSampleApp(stateDir, controlPlane.kubeconfig, list, sidecars.meshProxy, SIDECAR_MODES[mode].app);
  await sidecars.ready();
  log("starting the ingress gateway (pilot-agent and Envoy)");
  const gateway = await startGateway(stateDir, controlPlane.xdsAddress, registryHost, log);
  const gatewayUrl = `http://${GATEWAY_BIND}:${GATEWAY_PORT}`;
  // The gateway's listener comes up once the agent has fetched the image and Envoy has loaded it.
  await waitFor(
    `the gateway to answer on ${gatewayUrl}`,
    async () => ((await ask(gatewayUrl, "jason")).status === 200 ? true : undefined),
    120_000,
    gateway.process,
  );
  return { ...controlPlane, stateDir, registryHost, pushed, instances, gateway, gatewayUrl, sidecars: sidecars.agents, mode };
}

/** Stops every process the chain started (by the pids it recorded) and removes its state. */
export async function stopLocalIstio(stateDir: string): Promise<string[]> {
  const stopped = await stopAll(stateDir);
  const mark = createdCacheMark(stateDir);
  if (existsSync(mark)) rmSync(readFileSync(mark, "utf8"), { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
  return stopped;
}
