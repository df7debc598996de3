// Envoy itself judges our configs: every shipped one validates, the Docker files match their generator,
// and an invalid plugin config keeps Envoy from starting, with the filter's error lines in its log.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { gatewayBootstrap } from "../../scripts/lib/envoy/bootstrap.ts";
import { DOCKER_WASM_PATH, dockerFiles } from "../../scripts/lib/envoy/docker.ts";
import type { EnvoyBinary } from "../../scripts/lib/envoy/ensure.ts";
import { EnvoyProcess, EnvoyStartError } from "../../scripts/lib/envoy/process.ts";
import { sidecarBootstrap } from "../../scripts/lib/envoy/sidecar.ts";
import { pluginConfig, SERVICES, SIDECAR_MODES } from "../../scripts/lib/envoy/topology.ts";
import { ENVOY_IMAGE } from "../../scripts/lib/envoy/version.ts";
import { REPO_ROOT } from "../../scripts/lib/paths.ts";
import { envoyForTests, PLUGIN_WASM } from "./support.ts";

const run = promisify(execFile);
let envoy: EnvoyBinary;
let scratch = "";

before(async () => {
  envoy = await envoyForTests();
  scratch = mkdtempSync(join(tmpdir(), "hash-tagging-configs-"));
});

after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function validate(name: string, yamlText: string): Promise<void> {
  const path = join(scratch, name);
  writeFileSync(path, yamlText);
  try {
    const { stdout } = await run(envoy.bin, ["--mode", "validate", "-c", path, "-l", "warn"], { timeout: 60_000 });
    assert.match(stdout, /OK/, `${name}: envoy --mode validate printed no OK: ${stdout}`);
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    assert.fail(`${name}: envoy --mode validate refused it:\n${err.stdout ?? ""}${err.stderr ?? err.message}`);
  }
}

function nativeConfig(plugin: string | object): object {
  return gatewayBootstrap({
    bind: "127.0.0.1",
    adminPort: 0,
    ingressPort: 0,
    endpoint: () => ({ address: "127.0.0.1", port: 9 }),
    clusterType: "STATIC",
    wasmPath: PLUGIN_WASM,
    plugin: { config: plugin },
    tagEcho: true,
  });
}

test("envoy/'s generated files (gateway, sidecars, compose) equal the generator's output (npm run envoy:config)", () => {
  for (const [path, want] of Object.entries(dockerFiles())) {
    const got = readFileSync(join(REPO_ROOT, path), "utf8").split("\n");
    const wantLines = want.split("\n");
    const line = got.findIndex((l, i) => l !== wantLines[i]);
    const at = line >= 0 ? line : got.length === wantLines.length ? -1 : Math.min(got.length, wantLines.length);
    assert.equal(
      at,
      -1,
      `${path}:${at + 1}: got ${JSON.stringify(got[at])}, want ${JSON.stringify(wantLines[at])} (the generator's output); run npm run envoy:config`,
    );
  }
});

test("docker compose runs the pinned Envoy image", () => {
  const compose = parse(readFileSync(join(REPO_ROOT, "envoy/docker-compose.yaml"), "utf8"));
  assert.equal(compose.services.envoy.image, ENVOY_IMAGE, `got image ${compose.services.envoy.image}, want ${ENVOY_IMAGE}`);
});

/** Validation loads the Wasm module, so the container path must exist here; nothing else changes. */
async function validateShipped(path: string): Promise<void> {
  const shipped = readFileSync(join(REPO_ROOT, path), "utf8");
  assert.ok(shipped.includes(`filename: ${DOCKER_WASM_PATH}`), `${path}: got no filename: ${DOCKER_WASM_PATH}`);
  await validate(path.replaceAll("/", "-"), shipped.replaceAll(`filename: ${DOCKER_WASM_PATH}`, `filename: ${PLUGIN_WASM}`));
}

test("envoy --mode validate accepts the shipped Docker gateway config (plugin path pointed at build/plugin.wasm)", async () => {
  await validateShipped("envoy/envoy.yaml");
});

// Waits on the filter's passThrough block: the sidecars run it.
test("envoy --mode validate accepts the shipped Docker sidecar configs", async () => {
  const sidecars = Object.keys(dockerFiles()).filter((path) => /^envoy\/pass-through\/[^/]+\/sidecar-.*\.yaml$/.test(path));
  assert.equal(sidecars.length, 4, `got ${sidecars.join(", ")}, want one per calling instance and mode`);
  for (const path of sidecars) await validateShipped(path);
});

// Waits on the filter's passThrough block: Envoy loads the module and configures it while validating.
test("envoy --mode validate accepts a native sidecar config in each pass-through mode", async () => {
  for (const [mode, { pluginConfig: config }] of Object.entries(SIDECAR_MODES)) {
    const sidecar = sidecarBootstrap({
      instance: "mocka-v1",
      clusterType: "STATIC",
      endpoint: () => ({ address: "127.0.0.1", port: 9 }),
      upstreams: SERVICES.slice(1, 2),
      admin: { address: "127.0.0.1", port: 0 },
      inbound: { address: "127.0.0.1", port: 0 },
      outbound: { address: "127.0.0.1", port: 0 },
      app: { address: "127.0.0.1", port: 9 },
      appClusterType: "STATIC",
      wasmPath: PLUGIN_WASM,
      plugin: { config },
    });
    await validate(`sidecar-${mode}.yaml`, stringify(sidecar));
  }
});

test("envoy --mode validate accepts the native testbed config", async () => {
  await validate("native-envoy.yaml", stringify(nativeConfig(pluginConfig())));
});

test("an invalid plugin config is refused: Envoy does not start and logs one error line per problem", async () => {
  const bad = {
    rules: [
      {
        header: "x-user-id",
        modulo: 0,
        tagHeader: "x-asm-prefer-tag",
        policies: [
          { range: 20, tagValue: "s2" },
          { range: 10, tagValue: "s1" },
        ],
      },
    ],
  };
  let failure: EnvoyStartError | undefined;
  try {
    const started = await EnvoyProcess.start({ bin: envoy.bin, config: nativeConfig(bad), concurrency: 1, readyTimeoutMs: 20_000 });
    await started.stop();
  } catch (e) {
    if (!(e instanceof EnvoyStartError)) throw e;
    failure = e;
  }
  assert.ok(failure, "got an Envoy that started with an invalid plugin config, want a refusal");
  assert.notEqual(failure.exit?.code ?? 0, 0, `got exit ${JSON.stringify(failure.exit)}, want a non-zero exit code`);
  const errorLines = failure.log.split("\n").filter((l) => /\[error\]\[wasm\].*rules\[0\]\./.test(l));
  for (const path of ["rules[0].modulo: ", "rules[0].policies[1].range: "]) {
    assert.ok(
      errorLines.some((l) => l.includes(path)),
      `got no error line naming ${path.trim()} in Envoy's log:\n${errorLines.join("\n") || failure.log.slice(-3000)}`,
    );
  }
  assert.match(failure.log, /Unable to create Wasm plugin/, "got no 'Unable to create Wasm plugin' in Envoy's log");
});
