// Headers a filter must not write: a tag there would change how the request is framed, routed or
// timed rather than label it. Refused as tag headers (and as any header the config writes).

const FRAMING = ["content-length", "transfer-encoding"];
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade"];
const ENVOY_PREFIX = "x-envoy-";

/** Why a filter must not write the (lowercase) header `name`, or null when it may. */
export function reservedHeaderReason(name: string): string | null {
  if (FRAMING.includes(name)) return "is a message framing header: the upstream would wait for a body that never comes";
  if (HOP_BY_HOP.includes(name)) return "is a hop-by-hop header (RFC 9110 section 7.6.1): it describes the connection, not the request";
  if (name == "host") return "is the request's host: writing it reroutes the request upstream";
  if (name == "cookie") return "carries the user's cookies: writing it replaces them";
  if (name.startsWith(ENVOY_PREFIX)) return "is one of Envoy's x-envoy-* control headers, which Envoy obeys (timeouts, retries)";
  return null;
}
