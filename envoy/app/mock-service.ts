// One instance of the sample app: answers `-> <app>(version: <v>, ip: <address>)` followed by its
// upstream's answer. Run alone it reads the reference's env vars (app, version, upstream_url) plus
// mesh_proxy, forward_headers, HOST and PORT; the native testbed imports startMockService instead.
// Self-contained and erasable-only TypeScript, so the container runs it with plain `node`.

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";

export interface MockServiceOptions {
  app: string;
  version: string;
  /** e.g. http://mockb:8000/ ; none for the last service in the chain. */
  upstreamUrl?: string;
  /** host:port of the mesh (Envoy) that carries the upstream call; read per request since the
   *  native testbed learns it only after Envoy has started. Without it the call goes direct. */
  meshProxy?: () => string | undefined;
  /** Request headers copied onto the upstream call (the trace id; baggage in the OpenTelemetry variant). */
  forwardHeaders: readonly string[];
  host?: string;
  port?: number;
}

export interface MockService {
  port: number;
  close(): Promise<void>;
}

interface UpstreamAnswer {
  status: number;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function hostAndPort(hostPort: string): { host: string; port: number } {
  const i = hostPort.lastIndexOf(":");
  if (i < 0) throw new Error(`mesh_proxy "${hostPort}": expected host:port`);
  return { host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) };
}

function callUpstream(o: MockServiceOptions, url: URL, req: IncomingMessage): Promise<UpstreamAnswer> {
  const headers: Record<string, string> = { host: url.host };
  for (const name of o.forwardHeaders) {
    const v = req.headers[name];
    if (typeof v === "string") headers[name] = v;
  }
  const mesh = o.meshProxy?.();
  const target = mesh ? hostAndPort(mesh) : { host: url.hostname, port: Number(url.port || 80) };
  return new Promise((resolve, reject) => {
    const call = http.request({ ...target, path: url.pathname + url.search, headers, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    call.on("error", reject);
    call.end();
  });
}

function localIp(req: IncomingMessage): string {
  const ip = req.socket.localAddress ?? "unknown";
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}

async function answer(o: MockServiceOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let status = 200;
  let body = `-> ${o.app}(version: ${o.version}, ip: ${localIp(req)})`;
  if (o.upstreamUrl) {
    const url = new URL(o.upstreamUrl);
    try {
      const up = await callUpstream(o, url, req);
      body += up.body.trimEnd();
      if (up.status !== 200) {
        status = 502;
        body += ` [${url.host} answered ${up.status}]`;
      }
    } catch (e) {
      status = 502;
      body += `-> ${url.host} unreachable: ${(e as Error).message}`;
    }
  }
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(body + "\n");
}

export function startMockService(o: MockServiceOptions): Promise<MockService> {
  const server: Server = http.createServer((req, res) => {
    answer(o, req, res).catch((e: Error) => {
      res.writeHead(500);
      res.end(`${o.app}: ${e.message}\n`);
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once("error", (e: Error) =>
      reject(new Error(`${o.app}-${o.version}: cannot listen on ${o.host ?? "0.0.0.0"}:${o.port ?? 0}: ${e.message}`)),
    );
    server.listen(o.port ?? 0, o.host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is required`);
  return v;
}

async function main(): Promise<void> {
  const mesh = process.env.mesh_proxy;
  const o: MockServiceOptions = {
    app: required("app"),
    version: required("version"),
    upstreamUrl: process.env.upstream_url || undefined,
    meshProxy: () => mesh || undefined,
    forwardHeaders: (process.env.forward_headers ?? "x-user-id")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    host: process.env.HOST || undefined,
    port: Number(process.env.PORT ?? 8000),
  };
  const s = await startMockService(o);
  console.log(`${o.app}(version: ${o.version}) listening on :${s.port}, upstream ${o.upstreamUrl ?? "none"} via ${mesh ?? "direct"}`);
  const stop = () => void s.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
