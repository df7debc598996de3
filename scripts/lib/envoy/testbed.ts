// The native testbed, modelled on pods: the four sample-app instances in this process, a sidecar Envoy for
// each instance that calls another (inbound listener in front of the app, outbound listener for its
// calls), and an ingress gateway Envoy running the filter. Everything binds port 0 on loopback, so the
// Envoys start callee first: each one's clusters name the ports of what it calls.
import { createServer } from "node:net";
import { type MockService, startMockService } from "../../../envoy/app/mock-service.ts";
import { type BootstrapOptions, type Endpoint, gatewayBootstrap, INGRESS_LISTENER } from "./bootstrap.ts";
import { EnvoyProcess } from "./process.ts";
import { SIDECAR_INBOUND, SIDECAR_OUTBOUND, sidecarBootstrap } from "./sidecar.ts";
import {
  type AppVariant,
  gatewayPluginConfig,
  type Instance,
  instanceName,
  instances,
  type PassThroughMode,
  SERVICE_PORT,
  SERVICES,
  SIDECAR_MODES,
} from "./topology.ts";

export interface TestbedOptions {
  envoyBin: string;
  wasmPath: string;
  /** 0 picks a free port. */
  ingressPort?: number;
  /** The gateway filter's config (default: as deploy/istio/base/wasmplugin.yaml ships it). */
  plugin?: BootstrapOptions["plugin"];
  tagEcho?: boolean;
  concurrency?: number;
  /** Directory for the gateway Envoy's files (config, log, ECDS file); a fresh temp dir when absent. */
  workDir?: string;
  /** The pass-through mode: the sidecars' config and the app variant that goes with it (default trace-id). */
  mode?: PassThroughMode;
  /** Overrides the mode's sidecar filter config; null runs the sidecars without the filter. */
  sidecarPlugin?: { config: object } | null;
}

export interface Sidecar {
  instance: string;
  envoy: EnvoyProcess;
  inboundPort: number;
  outboundPort: number;
}

export interface Testbed {
  ingressUrl: string;
  /** The gateway's Envoy. */
  envoy: EnvoyProcess;
  sidecars: Sidecar[];
  app: AppVariant;
  stop(): Promise<void>;
}

const LOOPBACK = "127.0.0.1";

/** Fails with a clear message when a fixed port is taken, before Envoy reports it less plainly. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === "EADDRINUSE"
            ? `${LOOPBACK}:${port} (${what}) is already in use: stop whatever listens there or pick another port`
            : `${LOOPBACK}:${port} (${what}): ${e.message}`,
        ),
      ),
    );
    probe.listen(port, LOOPBACK, () => probe.close(() => resolve()));
  });
}

const upstreamOf = (i: Instance) => SERVICES.filter((s) => s.app === i.upstream);

/** Callees before callers: an instance comes once every instance of the service it calls has. */
function calleesFirst(list: Instance[]): Instance[] {
  const order: Instance[] = [];
  while (order.length < list.length) {
    const next = list.filter((i) => !order.includes(i) && list.filter((c) => c.app === i.upstream).every((c) => order.includes(c)));
    if (next.length === 0) throw new Error("the sample app's calls form a cycle");
    order.push(...next);
  }
  return order;
}

export async function startTestbed(o: TestbedOptions): Promise<Testbed> {
  const ingressPort = o.ingressPort ?? 0;
  await assertPortFree(ingressPort, "Envoy ingress");
  const mode = SIDECAR_MODES[o.mode ?? "trace-id"];
  const sidecarPlugin = o.sidecarPlugin === undefined ? { config: mode.pluginConfig } : o.sidecarPlugin;
  const apps: MockService[] = [];
  const envoys: EnvoyProcess[] = [];
  const sidecars: Sidecar[] = [];
  /** Where other proxies reach each instance: its sidecar's inbound listener, or the app when it has none. */
  const reachedAt = new Map<string, Endpoint>();
  const outboundOf = new Map<string, string>();
  const stopAll = async () => {
    await Promise.all(envoys.map((e) => e.stop()));
    await Promise.all(apps.map((a) => a.close()));
  };
  const mesh = {
    clusterType: "STATIC" as const,
    endpoint: (app: string, version: string) => reachedAt.get(instanceName({ app, version }))!,
  };
  try {
    for (const i of calleesFirst(instances())) {
      const name = instanceName(i);
      const app = await startMockService({
        app: i.app,
        version: i.version,
        upstreamUrl: i.upstream ? `http://${i.upstream}:${SERVICE_PORT}/` : undefined,
        meshProxy: () => outboundOf.get(name),
        forwardHeaders: mode.app.forwardHeaders,
        host: LOOPBACK,
        port: 0,
      });
      apps.push(app);
      if (!i.upstream) {
        reachedAt.set(name, { address: LOOPBACK, port: app.port });
        continue;
      }
      const envoy = await EnvoyProcess.start({
        bin: o.envoyBin,
        concurrency: o.concurrency,
        config: sidecarBootstrap({
          ...mesh,
          instance: name,
          wasmPath: o.wasmPath,
          plugin: sidecarPlugin,
          upstreams: upstreamOf(i),
          admin: { address: LOOPBACK, port: 0 },
          inbound: { address: LOOPBACK, port: 0 },
          outbound: { address: LOOPBACK, port: 0 },
          app: { address: LOOPBACK, port: app.port },
          appClusterType: "STATIC",
        }),
      });
      envoys.push(envoy);
      const sidecar = {
        instance: name,
        envoy,
        inboundPort: await envoy.listenerPort(SIDECAR_INBOUND),
        outboundPort: await envoy.listenerPort(SIDECAR_OUTBOUND),
      };
      sidecars.push(sidecar);
      reachedAt.set(name, { address: LOOPBACK, port: sidecar.inboundPort });
      outboundOf.set(name, `${LOOPBACK}:${sidecar.outboundPort}`);
    }
    const gateway = await EnvoyProcess.start({
      bin: o.envoyBin,
      concurrency: o.concurrency,
      workDir: o.workDir,
      config: gatewayBootstrap({
        ...mesh,
        bind: LOOPBACK,
        adminPort: 0,
        ingressPort,
        wasmPath: o.wasmPath,
        tagEcho: o.tagEcho,
        plugin: o.plugin ?? { config: gatewayPluginConfig() },
      }),
    });
    envoys.push(gateway);
    const boundIngress = await gateway.listenerPort(INGRESS_LISTENER);
    return { ingressUrl: `http://${LOOPBACK}:${boundIngress}`, envoy: gateway, sidecars, app: mode.app, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
