// The serving certificate and key, read from files and read again when they change: cert-manager and
// Kubernetes Secret volumes rotate them in place (an atomic symlink swap), so the files are polled by
// content rather than watched by inode.
import { readFileSync } from "node:fs";
import type { Server } from "node:https";
import { createSecureContext } from "node:tls";

export interface CertificatePair {
  cert: Buffer;
  key: Buffer;
}

export function readPair(certFile: string, keyFile: string): CertificatePair {
  const pair = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  // Fails here, naming the files, on a key that does not match the certificate or bad PEM.
  try {
    createSecureContext(pair);
  } catch (e) {
    throw new Error(`${certFile} and ${keyFile}: not a usable certificate and key: ${(e as Error).message}`);
  }
  return pair;
}

/**
 * Polls both files every `intervalMs`; a changed pair that loads replaces the server's context (new
 * connections get it), one that does not (half-written, mismatched) is logged and retried.
 */
export function reloadOnChange(
  server: Server,
  certFile: string,
  keyFile: string,
  current: CertificatePair,
  log: (line: string) => void,
  intervalMs: number,
): () => void {
  let last = current;
  let lastProblem = "";
  const timer = setInterval(() => {
    let next: CertificatePair;
    try {
      next = readPair(certFile, keyFile);
    } catch (e) {
      const problem = (e as Error).message;
      if (problem !== lastProblem) log(`certificate reload failed, still serving the previous one: ${problem}`);
      lastProblem = problem;
      return;
    }
    lastProblem = "";
    if (next.cert.equals(last.cert) && next.key.equals(last.key)) return;
    server.setSecureContext(next);
    last = next;
    log(`certificate reloaded from ${certFile}`);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
