// One AdmissionReview v1 in, one out: pure, so the tests can feed it anything. The HTTP layer decides
// nothing but transport (size, method, path).
import { isObject, pluginConfigText } from "../plugin-configs.ts";
import { describeOwnership, isOurImage } from "./ownership.ts";

/** The filter's verdict on one pluginConfig (JSON text, as Istio sends it). */
export type Judge = (text: string) => Promise<{ accepted: boolean; lines: string[] }>;

export interface Reviewed {
  /** 200 with an AdmissionReview, or 400 when the review itself is malformed. */
  status: number;
  body: unknown;
  /** One line for the log: who, the verdict and why. */
  summary: string;
}

const API_VERSION = "admission.k8s.io/v1";

/** A malformed review: no AdmissionReview to answer, so a 400 with the reason. */
class MalformedReview extends Error {}

function answer(uid: string, allowed: boolean, message?: string): unknown {
  return {
    apiVersion: API_VERSION,
    kind: "AdmissionReview",
    response: { uid, allowed, ...(message === undefined ? {} : { status: { code: 403, reason: "Forbidden", message } }) },
  };
}

function requestOf(review: unknown): Record<string, unknown> {
  if (!isObject(review)) throw new MalformedReview("expected a JSON object (an AdmissionReview)");
  if (review.apiVersion !== API_VERSION || review.kind !== "AdmissionReview") {
    throw new MalformedReview(
      `expected apiVersion ${API_VERSION} and kind AdmissionReview, got ${JSON.stringify(review.apiVersion)} and ${JSON.stringify(review.kind)}`,
    );
  }
  if (!isObject(review.request)) throw new MalformedReview("request: expected an object");
  if (typeof review.request.uid !== "string" || review.request.uid === "")
    throw new MalformedReview("request.uid: expected a non-empty string");
  return review.request;
}

/** The review of `text` (the HTTP body): allowed, denied with the filter's lines, or a 400. */
export async function review(text: string, judge: Judge, imagePrefix?: string): Promise<Reviewed> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { status: 400, body: `not JSON: ${(e as Error).message}\n`, summary: "400: not JSON" };
  }
  let request;
  try {
    request = requestOf(parsed);
  } catch (e) {
    if (!(e instanceof MalformedReview)) throw e;
    return { status: 400, body: `malformed AdmissionReview: ${e.message}\n`, summary: `400: ${e.message}` };
  }
  const uid = request.uid as string;
  const who = `${request.namespace ?? "(cluster)"}/${request.name ?? "(unnamed)"} ${request.operation ?? "?"}`;
  const allow = (why: string): Reviewed => ({ status: 200, body: answer(uid, true), summary: `${who}: allowed: ${why}` });

  if (request.operation !== "CREATE" && request.operation !== "UPDATE")
    return allow(`nothing to judge in a ${request.operation ?? "missing"} operation`);
  const object = request.object;
  if (!isObject(object) || object.kind !== "WasmPlugin") return allow("not a WasmPlugin");
  const spec = isObject(object.spec) ? object.spec : {};
  if (typeof spec.url !== "string" || !isOurImage(spec.url, imagePrefix)) {
    return allow(`not ours (spec.url ${JSON.stringify(spec.url)}; ours: ${describeOwnership(imagePrefix)})`);
  }
  const { accepted, lines } = await judge(pluginConfigText(spec));
  if (accepted) return allow(`pluginConfig accepted by the filter${lines.length ? ` (${lines.join("; ")})` : ""}`);
  const message = `spec.pluginConfig refused by the hash-tagging filter (${lines.length} error(s)), nothing was stored:\n${lines.join("\n")}`;
  return { status: 200, body: answer(uid, false, message), summary: `${who}: denied: ${lines.join("; ")}` };
}
