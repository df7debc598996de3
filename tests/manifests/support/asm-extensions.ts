// ASM's VirtualService is upstream Istio's plus `fallback` on each HTTP route destination
// (HTTPRouteDestination.fallback = HTTPRouteFallback {case: string, target: Destination}, from ASM's
// published API). This checks that extension's shape and returns the resource without it, which must
// then pass upstream Istio's schema unchanged.

function checkDestination(target: unknown, path: string): string[] {
  if (typeof target !== "object" || target === null || Array.isArray(target)) return [`${path}: expected a Destination object`];
  const problems: string[] = [];
  const { host, subset, port, ...rest } = target as Record<string, unknown>;
  if (typeof host !== "string" || host === "") problems.push(`${path}.host: required string`);
  if (subset !== undefined && typeof subset !== "string") problems.push(`${path}.subset: expected a string`);
  if (port !== undefined && (typeof port !== "object" || port === null)) problems.push(`${path}.port: expected {number: N}`);
  return [...problems, ...Object.keys(rest).map((key) => `${path}.${key}: unknown field`)];
}

function checkFallback(fallback: unknown, path: string): string[] {
  if (typeof fallback !== "object" || fallback === null || Array.isArray(fallback)) return [`${path}: expected an object`];
  const { case: when, target, ...rest } = fallback as Record<string, unknown>;
  const problems = checkDestination(target, `${path}.target`);
  if (when !== undefined && typeof when !== "string") problems.push(`${path}.case: expected a string`);
  return [...problems, ...Object.keys(rest).map((key) => `${path}.${key}: unknown field`)];
}

/** The VirtualService with ASM's fields removed, and any problems with those fields' shape. */
export function withoutAsmExtensions(virtualService: Record<string, any>): {
  upstream: Record<string, any>;
  problems: string[];
  removed: string[];
} {
  const upstream = structuredClone(virtualService);
  const problems: string[] = [];
  const removed: string[] = [];
  (upstream.spec?.http ?? []).forEach((route: any, i: number) => {
    (route.route ?? []).forEach((destination: any, j: number) => {
      if (destination.fallback === undefined) return;
      const path = `spec.http[${i}].route[${j}].fallback`;
      problems.push(...checkFallback(destination.fallback, path));
      removed.push(path);
      delete destination.fallback;
    });
  });
  return { upstream, problems, removed };
}
