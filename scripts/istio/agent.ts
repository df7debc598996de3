// pilot-agent with the PyPI Envoy, the way a pod runs istio-proxy, minus what needs a cluster: workload
// certificates are self-made files (no CA), xDS is plaintext, and Envoy's fixed ports are loopback only.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findOrInstallEnvoy } from "../lib/envoy/ensure.ts";
import { freePort, type Started, startDetached, waitFor } from "./processes.ts";
import { BINARIES, ISTIO_FILES } from "./versions.ts";

export interface AgentOptions {
  /** Process name in the state folder, and the agent's working directory under it. */
  name: string;
  mode: "router" | "sidecar";
  /** INSTANCE_IP: istiod matches it against endpoint addresses to find the proxy's workload. */
  ip: string;
  namespace: string;
  serviceAccount: string;
  labels: Record<string, string>;
  registryHost?: string;
  /** Environment beyond what every agent here needs (proxy metadata: ISTIO_META_*). */
  env?: Record<string, string>;
}

export interface Agent {
  process: Started;
  /** Envoy's admin API (http://127.0.0.1:PORT): /stats, /config_dump. */
  adminUrl: string;
}

/** Where the agent looks for mounted workload certificates; with them it needs no CA. */
function workloadCerts(dir: string, spiffeId: string): void {
  mkdirSync(dir, { recursive: true });
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/O=hash-tagging local mesh",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
    "-keyout",
    "root-key.pem",
    "-out",
    "root-cert.pem",
  ]);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/O=hash-tagging local mesh", "-keyout", "key.pem", "-out", "workload.csr"]);
  writeFileSync(join(dir, "workload.ext"), `subjectAltName=URI:${spiffeId}\n`);
  openssl([
    "x509",
    "-req",
    "-in",
    "workload.csr",
    "-CA",
    "root-cert.pem",
    "-CAkey",
    "root-key.pem",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "workload.ext",
    "-out",
    "cert-chain.pem",
  ]);
}

/**
 * Istio's bootstrap template with its wildcard listeners (Prometheus, readiness) moved to 127.0.0.1 and
 * to free ports, so nothing listens beyond loopback and several agents never collide.
 */
async function bootstrapTemplate(path: string): Promise<void> {
  const text = readFileSync(ISTIO_FILES.bootstrap.to, "utf8")
    .replaceAll("{{ .wildcard }}", "127.0.0.1")
    .replaceAll("{{ .envoy_prometheus_port }}", String(await freePort()))
    .replaceAll("{{ .envoy_status_port }}", String(await freePort()));
  writeFileSync(path, text);
}

export async function startAgent(stateDir: string, xdsAddress: string, o: AgentOptions, log: (line: string) => void): Promise<Agent> {
  const envoy = await findOrInstallEnvoy(log);
  const cwd = join(stateDir, o.name);
  workloadCerts(
    join(cwd, "var/run/secrets/workload-spiffe-credentials"),
    `spiffe://cluster.local/ns/${o.namespace}/sa/${o.serviceAccount}`,
  );
  await bootstrapTemplate(join(cwd, "envoy_bootstrap.json"));
  const [adminPort, statusPort] = [await freePort(), await freePort()];
  const proxyConfig = {
    discoveryAddress: xdsAddress,
    controlPlaneAuthPolicy: "NONE",
    binaryPath: envoy.bin,
    configPath: join(cwd, "etc/istio/proxy"),
    proxyAdminPort: adminPort,
    // The agent's health server cannot be switched off and listens on every address (":port"): the one
    // listener here not bound to loopback. A free port keeps agents apart.
    statusPort,
    concurrency: 1,
    // drainDuration stays Istio's default (45 s), so listener updates leave draining listeners in the
    // VM as in production; only the shutdown drain is short.
    terminationDrainDuration: "1s",
    // Istio's bootstrap keeps only a few stat prefixes; ECDS's own counters (config_reload, config_fail)
    // show whether a WasmPlugin's config was taken, as `proxyStatsMatcher` in a mesh config would add them.
    proxyStatsMatcher: { inclusionPrefixes: ["extension_config_discovery"] },
  };
  const agent = startDetached(
    stateDir,
    o.name,
    BINARIES.pilotAgent,
    [
      "proxy",
      o.mode,
      "--domain",
      `${o.namespace}.svc.cluster.local`,
      "--proxyLogLevel",
      "warning",
      "--proxyComponentLogLevel",
      "wasm:info",
      "--log_output_level",
      "default:info",
    ],
    {
      cwd,
      env: {
        PROXY_CONFIG: JSON.stringify(proxyConfig),
        ISTIO_BOOTSTRAP: join(cwd, "envoy_bootstrap.json"),
        ISTIO_METAJSON_LABELS: JSON.stringify(o.labels),
        POD_NAME: `${o.name}-local`,
        POD_NAMESPACE: o.namespace,
        SERVICE_ACCOUNT: o.serviceAccount,
        INSTANCE_IP: o.ip,
        ISTIO_META_CLUSTER_ID: "Kubernetes",
        ...(o.registryHost ? { WASM_INSECURE_REGISTRIES: o.registryHost } : {}),
        ...o.env,
      },
    },
  );
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitFor(
    `${o.name}'s Envoy to take its listeners from istiod`,
    async () => {
      const r = await fetch(`${adminUrl}/stats?filter=^listener_manager.lds.update_success$`);
      const m = /: (\d+)/.exec(await r.text());
      return m && Number(m[1]) > 0 ? true : undefined;
    },
    60_000,
    agent,
  );
  return { process: agent, adminUrl };
}
