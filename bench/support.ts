// What both Envoy benchmarks share: the routes (direct responses chosen by the tag, so no upstream
// adds noise), the comparison modules compiled from bench/modules/, and the configs measured.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { httpListener } from "../src/envoy/config.ts";
import { REPO_ROOT } from "../src/envoy/paths.ts";
import { pluginConfig } from "../src/envoy/topology.ts";

export const LUA_TYPE = "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua";

/** An Envoy Lua filter running `code`; Lua clears the route cache after a header change by default. */
export function luaFilter(name: string, code: string, clearRouteCache = true): object {
  return {
    name,
    typed_config: { "@type": LUA_TYPE, default_source_code: { inline_string: code }, ...(clearRouteCache ? {} : { clear_route_cache: false }) },
  };
}

/**
 * Compiles a module of bench/modules/ on its own, without the project's asconfig: `stub` for the
 * hand-written modules, `incremental` for the SDK's no-op. Returns the path of the .wasm.
 */
export function buildBenchModule(name: string, runtime: "stub" | "incremental"): string {
  const dir = mkdtempSync(join(tmpdir(), `hash-tagging-${name}-`));
  const config = join(dir, "asconfig.json");
  writeFileSync(config, "{}");
  const out = join(dir, `${name}.wasm`);
  const abort = runtime === "stub" ? "abort=" : "abort=abort_proc_exit";
  execFileSync(join(REPO_ROOT, "node_modules", ".bin", "asc"), [
    join("bench", "modules", `${name}.ts`), "--config", config, "-O3", "--runtime", runtime, "--use", abort, "-o", out,
  ], { cwd: REPO_ROOT, stdio: "inherit" });
  return out;
}

/** The reference config with a key header no request sends: the filter's fixed cost. */
export function absentKeyConfig(): object {
  const config = pluginConfig() as { rules: { header: string }[] };
  return { rules: config.rules.map((rule) => ({ ...rule, header: "x-absent" })) };
}

/** Four copies of the reference rule, each writing its own tag header (the last one routes). */
export function fourRulesConfig(): object {
  const rule = (pluginConfig() as { rules: { name?: string; tagHeader: string }[] }).rules[0];
  return {
    rules: [0, 1, 2, 3].map((i) => ({ ...rule, name: `rule_${i}`, tagHeader: i === 3 ? rule.tagHeader : `x-tag-${i}` })),
  };
}

/** One listener whose routes answer directly with the tag they matched ("none" when untagged). */
export function benchBootstrap(filters: object[]): object {
  const byTag = (tag: string) => ({
    match: { prefix: "/", headers: [{ name: "x-asm-prefer-tag", string_match: { exact: tag } }] },
    direct_response: { status: 200, body: { inline_string: tag } },
  });
  return {
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: 0 } } },
    stats_config: { use_all_default_tags: false },
    static_resources: {
      listeners: [httpListener({
        name: "bench",
        bind: "127.0.0.1",
        port: 0,
        connectionManager: { generate_request_id: false },
        routeConfig: {
          virtual_hosts: [{
            name: "bench", domains: ["*"],
            routes: [byTag("s2"), byTag("s1"), { match: { prefix: "/" }, direct_response: { status: 200, body: { inline_string: "none" } } }],
          }],
        },
        filters,
      })],
    },
  };
}
