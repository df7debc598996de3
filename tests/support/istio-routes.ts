// How Istio routes a request in a sidecar, restated for the tests: the host's VirtualService picks the
// first HTTP rule whose match the request's headers satisfy (exact matches only, as the lane routes use),
// and its DestinationRule's subset names the labels of the pods that serve it.
type Doc = Record<string, any>;

function matches(rule: Doc, headers: Record<string, string>): boolean {
  if (!rule.match) return true;
  return rule.match.some((m: Doc) => Object.entries<Doc>(m.headers ?? {}).every(([name, sm]) => headers[name] === sm.exact));
}

/** The labels of the pods a request for `host` with `headers` reaches, and the subset that selected them. */
export function routeInMesh(
  docs: Doc[],
  host: string,
  headers: Record<string, string>,
): { subset: string; labels: Record<string, string> } {
  const vs = docs.filter((d) => d.kind === "VirtualService" && d.spec.hosts?.includes(host) && !d.spec.gateways);
  if (vs.length !== 1) throw new Error(`${host}: ${vs.length} mesh VirtualServices, want 1`);
  const rule = vs[0].spec.http.find((r: Doc) => matches(r, headers));
  if (!rule) throw new Error(`${host}: no rule matches ${JSON.stringify(headers)}`);
  const { subset } = rule.route[0].destination;
  const dr = docs.filter((d) => d.kind === "DestinationRule" && d.spec.host === host);
  if (dr.length !== 1) throw new Error(`${host}: ${dr.length} DestinationRules, want 1`);
  const labels = dr[0].spec.subsets.find((s: Doc) => s.name === subset)?.labels;
  if (!labels) throw new Error(`${host}: subset ${subset} is not defined in its DestinationRule`);
  return { subset, labels };
}
