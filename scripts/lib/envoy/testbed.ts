// The native testbed: the four sample-app instances in this process, one Envoy in front and between them.
// Apps start first (on port 0) so the generated config can name their ports; they learn the mesh
// listener's port once Envoy has bound it.
import { createServer } from "node:net";
import { startMockService, type MockService } from "../../../envoy/app/mock-service.ts";
import { bootstrap, INGRESS_LISTENER, MESH_LISTENER, type BootstrapOptions } from "./bootstrap.ts";
import { EnvoyProcess } from "./process.ts";
import { SERVICE_PORT, TAG_HEADER, USER_HEADER, instanceName, instances, pluginConfig } from "./topology.ts";

export interface TestbedOptions {
  envoyBin: string;
  wasmPath: string;
  /** 0 picks a free port. */
  ingressPort?: number;
  plugin?: BootstrapOptions["plugin"];
  tagEcho?: boolean;
  concurrency?: number;
  /** Directory for Envoy's files (config, log, ECDS file); a fresh temp dir when absent. */
  workDir?: string;
}

export interface Testbed {
  ingressUrl: string;
  meshPort: number;
  envoy: EnvoyProcess;
  stop(): Promise<void>;
}

const LOOPBACK = "127.0.0.1";

/** Fails with a clear message when a fixed port is taken, before Envoy reports it less plainly. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (e: NodeJS.ErrnoException) =>
      reject(new Error(e.code === "EADDRINUSE"
        ? `${LOOPBACK}:${port} (${what}) is already in use: stop whatever listens there or pick another port`
        : `${LOOPBACK}:${port} (${what}): ${e.message}`)));
    probe.listen(port, LOOPBACK, () => probe.close(() => resolve()));
  });
}

export async function startTestbed(o: TestbedOptions): Promise<Testbed> {
  const ingressPort = o.ingressPort ?? 0;
  await assertPortFree(ingressPort, "Envoy ingress");
  let meshAddress: string | undefined;
  const apps: MockService[] = [];
  const ports = new Map<string, number>();
  const stopApps = () => Promise.all(apps.map((a) => a.close()));
  try {
    for (const i of instances()) {
      const app = await startMockService({
        app: i.app,
        version: i.version,
        upstreamUrl: i.upstream ? `http://${i.upstream}:${SERVICE_PORT}/` : undefined,
        meshProxy: () => meshAddress,
        forwardHeaders: [USER_HEADER, TAG_HEADER],
        host: LOOPBACK,
        port: 0,
      });
      apps.push(app);
      ports.set(instanceName(i), app.port);
    }
    const config = bootstrap({
      bind: LOOPBACK,
      adminPort: 0,
      ingressPort,
      meshPort: 0,
      endpoint: (app, version) => ({ address: LOOPBACK, port: ports.get(instanceName({ app, version }))! }),
      clusterType: "STATIC",
      wasmPath: o.wasmPath,
      plugin: o.plugin ?? { config: pluginConfig() },
      tagEcho: o.tagEcho,
    });
    const envoy = await EnvoyProcess.start({ bin: o.envoyBin, config, concurrency: o.concurrency, workDir: o.workDir });
    let meshPort: number;
    let boundIngress: number;
    try {
      meshPort = await envoy.listenerPort(MESH_LISTENER);
      boundIngress = await envoy.listenerPort(INGRESS_LISTENER);
    } catch (e) {
      await envoy.stop();
      throw e;
    }
    meshAddress = `${LOOPBACK}:${meshPort}`;
    return {
      ingressUrl: `http://${LOOPBACK}:${boundIngress}`,
      meshPort,
      envoy,
      stop: async () => {
        await envoy.stop();
        await stopApps();
      },
    };
  } catch (e) {
    await stopApps();
    throw e;
  }
}
