import { createHash } from "node:crypto";
import { MANIFEST_ACCEPT } from "./media-types.ts";

export interface FetchedManifest {
  /** From the Content-Type header, which is what registries and Istio's client dispatch on. */
  mediaType: string;
  /** sha256 of the exact bytes served: the manifest digest. */
  digest: string;
  bytes: Uint8Array;
  json: Record<string, unknown>;
}

/** The content address a registry gives a blob or manifest: `sha256:<hex>`. */
export function sha256Digest(bytes: Uint8Array): string {
  return "sha256:" + createHash("sha256").update(bytes).digest("hex");
}

/**
 * A minimal client for the OCI distribution HTTP API (anonymous, plain HTTP: the tests' local registry).
 * The tests pull images the way Istio does, and push hand-made images that no build tool would make.
 */
export class RegistryClient {
  constructor(readonly baseUrl: string) {}

  async getManifest(repository: string, reference: string, accept = MANIFEST_ACCEPT): Promise<FetchedManifest> {
    const url = `${this.baseUrl}/v2/${repository}/manifests/${reference}`;
    const response = await this.request("GET", url, { headers: { Accept: accept } }, [200]);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const digest = sha256Digest(bytes);
    const served = response.headers.get("docker-content-digest");
    if (served && served !== digest) throw new Error(`GET ${url}: Docker-Content-Digest ${served} does not match the body's ${digest}`);
    if (reference.startsWith("sha256:") && reference !== digest) throw new Error(`GET ${url}: body hashes to ${digest}`);
    const json = JSON.parse(Buffer.from(bytes).toString("utf8")) as Record<string, unknown>;
    const mediaType = (response.headers.get("content-type") ?? "").split(";")[0].trim() || String(json.mediaType ?? "");
    return { mediaType, digest, bytes, json };
  }

  /** Downloads a blob and checks it against its digest, as any pulling client must. */
  async getBlob(repository: string, digest: string): Promise<Uint8Array> {
    const url = `${this.baseUrl}/v2/${repository}/blobs/${digest}`;
    const response = await this.request("GET", url, {}, [200]);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const actual = sha256Digest(bytes);
    if (actual !== digest) throw new Error(`GET ${url}: blob hashes to ${actual}`);
    return bytes;
  }

  /** Uploads a blob (monolithic POST + PUT) unless the registry has it already; returns its digest. */
  async putBlob(repository: string, bytes: Uint8Array): Promise<string> {
    const digest = sha256Digest(bytes);
    const blobUrl = `${this.baseUrl}/v2/${repository}/blobs/${digest}`;
    if ((await this.request("HEAD", blobUrl, {}, [200, 404])).status === 200) return digest;

    const start = await this.request("POST", `${this.baseUrl}/v2/${repository}/blobs/uploads/`, {}, [202]);
    const location = start.headers.get("location");
    if (!location) throw new Error(`POST ${this.baseUrl}/v2/${repository}/blobs/uploads/: 202 without a Location header`);
    const uploadUrl = new URL(location, this.baseUrl);
    uploadUrl.searchParams.set("digest", digest);
    await this.request(
      "PUT",
      uploadUrl.toString(),
      {
        headers: { "Content-Type": "application/octet-stream", "Content-Length": String(bytes.length) },
        body: Buffer.from(bytes),
      },
      [201],
    );
    return digest;
  }

  /** Stores a manifest under a tag; returns the digest the registry computed for it. */
  async putManifest(repository: string, tag: string, mediaType: string, bytes: Uint8Array): Promise<string> {
    const url = `${this.baseUrl}/v2/${repository}/manifests/${tag}`;
    const response = await this.request("PUT", url, { headers: { "Content-Type": mediaType }, body: Buffer.from(bytes) }, [201]);
    const digest = sha256Digest(bytes);
    const served = response.headers.get("docker-content-digest");
    if (served && served !== digest) throw new Error(`PUT ${url}: registry says ${served}, body hashes to ${digest}`);
    return digest;
  }

  private async request(method: string, url: string, init: RequestInit, expected: number[]): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, method, redirect: "follow" });
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
      throw new Error(`${method} ${url}: ${cause}`);
    }
    if (expected.includes(response.status)) return response;
    const body = method === "HEAD" ? "" : (await response.text()).trim().slice(0, 500);
    throw new Error(`${method} ${url}: HTTP ${response.status}, expected ${expected.join(" or ")}${body ? `: ${body}` : ""}`);
  }
}
