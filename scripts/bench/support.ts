// What the Envoy benchmarks share: the comparison modules compiled from scripts/bench/modules/, the Lua
// comparators, and the configs measured.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pluginConfig } from "../lib/envoy/topology.ts";
import { REPO_ROOT } from "../lib/paths.ts";

export const LUA_TYPE = "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua";

/** An Envoy Lua filter running `code`; Lua clears the route cache after a header change by default. */
export function luaFilter(name: string, code: string, clearRouteCache = true): object {
  return {
    name,
    typed_config: {
      "@type": LUA_TYPE,
      default_source_code: { inline_string: code },
      ...(clearRouteCache ? {} : { clear_route_cache: false }),
    },
  };
}

/**
 * Compiles a module of scripts/bench/modules/ on its own, without the project's asconfig: `stub` for the
 * hand-written modules, `incremental` for the SDK's no-op. Returns the path of the .wasm.
 */
export function buildBenchModule(name: string, runtime: "stub" | "incremental"): string {
  const dir = mkdtempSync(join(tmpdir(), `hash-tagging-${name}-`));
  const config = join(dir, "asconfig.json");
  writeFileSync(config, "{}");
  const out = join(dir, `${name}.wasm`);
  const abort = runtime === "stub" ? "abort=" : "abort=abort_proc_exit";
  execFileSync(
    join(REPO_ROOT, "node_modules", ".bin", "asc"),
    [join("scripts", "bench", "modules", `${name}.ts`), "--config", config, "-O3", "--runtime", runtime, "--use", abort, "-o", out],
    { cwd: REPO_ROOT, stdio: "inherit" },
  );
  return out;
}

/** The reference config with a key header no request sends: the filter's fixed cost. */
export function absentKeyConfig(): object {
  return { rules: pluginConfig().rules.map((rule) => ({ ...rule, header: "x-absent" })) };
}

/** `count` copies of the reference rule on one key header, each writing its own tag header (the last one routes). */
export function copiesOfReferenceRule(count: number): object {
  const rule = pluginConfig().rules[0];
  return {
    rules: Array.from({ length: count }, (_, i) => ({
      ...rule,
      name: `rule_${i}`,
      tagHeader: i === count - 1 ? rule.tagHeader : `x-tag-${i}`,
    })),
  };
}

/** A sidecar's pass-through config (the contract's defaults, a day's ttl so no lane expires during a run) plus `mode`. */
export function passThroughConfig(mode: { traceHeader: string; direction: string } | { baggage: string; direction: string }): object {
  const ttl = "traceHeader" in mode ? { ttlSeconds: 86400 } : {};
  return { passThrough: { routeHeader: "x-asm-prefer-tag", ...mode, ...ttl } };
}
