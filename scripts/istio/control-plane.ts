// The local control plane, 127.0.0.1 only: etcd, kube-apiserver (token auth, AlwaysAllow), Istio's CRDs
// and istiod. No kubelet, controller-manager or scheduler: the objects istiod reads are enough.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { kubectl } from "./kubectl.ts";
import { freePort, type Started, startDetached, waitFor } from "./processes.ts";
import { BINARIES, BUILD_COMMAND, ISTIO_FILES } from "./versions.ts";

export interface ControlPlane {
  kubeconfig: string;
  /** istiod's plaintext xDS address (host:port), what the proxies connect to. */
  xdsAddress: string;
  /** istiod's debug HTTP server (http://127.0.0.1:PORT), for /debug/syncz and /ready. */
  istiodHttp: string;
  istiod: Started;
}

const ETCD = "etcd";
const ETCD_INSTALL = "apt-get install etcd-server";

/** Names what is missing before anything starts, each with the command that provides it. */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  const unbuilt = Object.values(BINARIES)
    .filter((path) => !existsSync(path))
    .map((path) => basename(path));
  if (unbuilt.length > 0) missing.push(`${unbuilt.join(", ")} (not built yet: \`${BUILD_COMMAND}\`)`);
  if (!onPath(ETCD)) missing.push(`${ETCD}: \`${ETCD_INSTALL}\``);
  if (!onPath("openssl")) missing.push("openssl: `apt-get install openssl`");
  return missing;
}

function onPath(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function startEtcd(stateDir: string): Promise<string> {
  const [client, peer] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const etcd = startDetached(stateDir, "etcd", ETCD, [
    "--name",
    "local",
    "--data-dir",
    join(stateDir, "etcd"),
    "--listen-client-urls",
    clientUrl,
    "--advertise-client-urls",
    clientUrl,
    "--listen-peer-urls",
    peerUrl,
    "--initial-advertise-peer-urls",
    peerUrl,
    "--initial-cluster",
    `local=${peerUrl}`,
  ]);
  await waitFor(
    "etcd /health",
    async () => {
      const r = await fetch(`${clientUrl}/health`);
      return r.ok && (await r.json()).health === "true" ? true : undefined;
    },
    30_000,
    etcd,
  );
  return clientUrl;
}

async function startApiserver(stateDir: string, etcdUrl: string): Promise<string> {
  const pki = join(stateDir, "pki");
  mkdirSync(pki, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  writeFileSync(join(pki, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }));
  writeFileSync(join(pki, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
  const token = randomBytes(24).toString("hex");
  writeFileSync(join(pki, "tokens.csv"), `${token},admin,admin,system:masters\n`, { mode: 0o600 });
  const port = await freePort();
  const apiserver = startDetached(stateDir, "kube-apiserver", BINARIES.kubeApiserver, [
    `--etcd-servers=${etcdUrl}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${port}`,
    "--advertise-address=127.0.0.1",
    `--cert-dir=${join(pki, "apiserver")}`,
    `--token-auth-file=${join(pki, "tokens.csv")}`,
    "--authorization-mode=AlwaysAllow",
    `--service-account-key-file=${join(pki, "sa.pub")}`,
    `--service-account-signing-key-file=${join(pki, "sa.key")}`,
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    // Cluster IPs are only names in API objects here: nothing routes them, traffic goes to endpoints.
    "--service-cluster-ip-range=10.96.0.0/16",
    "--enable-priority-and-fairness=false",
    "--profiling=false",
  ]);
  const kubeconfig = join(stateDir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      "current-context: local",
      "clusters:",
      `- name: local`,
      `  cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}`,
      "users:",
      `- name: admin`,
      `  user: {token: "${token}"}`,
      "contexts:",
      `- name: local`,
      `  context: {cluster: local, user: admin}`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  await waitFor(
    "kube-apiserver /readyz",
    async () => ((await kubectl(kubeconfig, ["get", "--raw", "/readyz"])).trim() === "ok" ? true : undefined),
    90_000,
    apiserver,
  );
  await waitFor(
    "namespace default",
    async () => ((await kubectl(kubeconfig, ["get", "namespace", "default", "-o", "name"])).trim() ? true : undefined),
    30_000,
    apiserver,
  );
  return kubeconfig;
}

async function installCrds(kubeconfig: string): Promise<void> {
  await kubectl(kubeconfig, ["apply", "--server-side", "-f", ISTIO_FILES.crds.to]);
  await kubectl(kubeconfig, ["wait", "--for=condition=established", "--timeout=60s", "crd", "--all"]);
  await kubectl(kubeconfig, ["create", "namespace", "istio-system"]);
}

async function startIstiod(stateDir: string, kubeconfig: string): Promise<Omit<ControlPlane, "kubeconfig">> {
  const [grpc, http, monitoring, ctrlz] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const xdsAddress = `127.0.0.1:${grpc}`;
  const meshConfig = join(stateDir, "mesh.yaml");
  writeFileSync(
    meshConfig,
    [
      // Plaintext between the proxies: the sample app has no sidecar inbound to terminate mTLS.
      "enableAutoMtls: false",
      "accessLogFile: /dev/stdout",
      "rootNamespace: istio-system",
      "defaultConfig:",
      `  discoveryAddress: ${xdsAddress}`,
      "",
    ].join("\n"),
  );
  const istiod = startDetached(
    stateDir,
    "istiod",
    BINARIES.pilotDiscovery,
    [
      "discovery",
      "--kubeconfig",
      kubeconfig,
      "--meshConfig",
      meshConfig,
      "--domain",
      "cluster.local",
      "--grpcAddr",
      xdsAddress,
      "--secureGRPCAddr",
      "",
      "--httpAddr",
      `127.0.0.1:${http}`,
      "--httpsAddr",
      "",
      "--monitoringAddr",
      `127.0.0.1:${monitoring}`,
      "--ctrlz_address",
      "127.0.0.1",
      "--ctrlz_port",
      String(ctrlz),
    ],
    {
      env: {
        POD_NAMESPACE: "istio-system",
        POD_NAME: "istiod-local",
        KUBECONFIG: kubeconfig,
        // No CA and no webhooks: workload certificates are files, configs reach istiod unvalidated.
        ENABLE_CA_SERVER: "false",
        VALIDATION_WEBHOOK_CONFIG_NAME: "",
        INJECTION_WEBHOOK_CONFIG_NAME: "",
        // The PyPI Envoy is upstream Envoy: it lacks Istio's own filters (istio.metadata_exchange, ALPN override).
        PILOT_ENABLE_METADATA_EXCHANGE: "false",
        PILOT_ENABLE_ALPN_FILTER: "false",
      },
    },
  );
  const istiodHttp = `http://127.0.0.1:${http}`;
  await waitFor("istiod /ready", async () => ((await fetch(`${istiodHttp}/ready`)).ok ? true : undefined), 90_000, istiod);
  return { xdsAddress, istiodHttp, istiod };
}

export async function startControlPlane(stateDir: string, log: (line: string) => void): Promise<ControlPlane> {
  log("starting etcd");
  const etcdUrl = await startEtcd(stateDir);
  log("starting kube-apiserver");
  const kubeconfig = await startApiserver(stateDir, etcdUrl);
  log("installing Istio's CRDs");
  await installCrds(kubeconfig);
  log("starting istiod");
  return { kubeconfig, ...(await startIstiod(stateDir, kubeconfig)) };
}
