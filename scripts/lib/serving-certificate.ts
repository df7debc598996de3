// A CA and a serving certificate signed by it, made with openssl: what the kube-apiserver trusts
// (caBundle) and what the webhook serves, for the tests, the benchmark and the local Istio chain. The
// openssl recipe of deploy/istio/webhook/README.md for a cluster is the same three commands.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface ServingCertificate {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** The CA certificate, PEM: a client's `ca`, or base64 of it as a webhook's caBundle. */
  ca: Buffer;
}

/** In `dir`: ca.crt/ca.key, and tls.crt/tls.key for `names` (IP addresses or DNS names), signed by the CA. */
export function makeServingCertificate(dir: string, names: string[], commonName = "hash-tagging-webhook"): ServingCertificate {
  mkdirSync(dir, { recursive: true });
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=hash-tagging webhook test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
  ]);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${commonName}`, "-keyout", "tls.key", "-out", "tls.csr"]);
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(",");
  writeFileSync(join(dir, "tls.ext"), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  openssl([
    "x509",
    "-req",
    "-in",
    "tls.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "tls.ext",
    "-out",
    "tls.crt",
  ]);
  return {
    caFile: join(dir, "ca.crt"),
    certFile: join(dir, "tls.crt"),
    keyFile: join(dir, "tls.key"),
    ca: readFileSync(join(dir, "ca.crt")),
  };
}

/** The `hash-tagging webhook` arguments that serve with `certificate` on 127.0.0.1:`port` (benchmarks and tests). */
export function localWebhookArgs(certificate: ServingCertificate, port: number): string[] {
  return ["webhook", "--cert", certificate.certFile, "--key", certificate.keyFile, "--port", String(port), "--host", "127.0.0.1"];
}
