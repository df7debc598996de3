// envoy/README.md's Docker walk-through, for real: `npm run asbuild`, then `docker compose up -d --build` in envoy/
// against a Docker engine (a private dockerd when none answers), in each pass-through mode (PASS_THROUGH):
// the walk-through through port 10000 with apps that forward only x-user-id (and baggage, in baggage mode),
// forged lanes refused, the counters on the admin port, and `docker compose down` leaving nothing behind.
// The lanes past the gateway wait on the filter's passThrough block (the sidecar containers run it).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { buildStandIns } from "../../scripts/docker-stand-ins.ts";
import { DOCKER_ADMIN_PORT, DOCKER_INGRESS_PORT, PASS_THROUGH_VARIABLE } from "../../scripts/lib/envoy/docker.ts";
import { assertPortFree } from "../../scripts/lib/envoy/testbed.ts";
import {
  BAGGAGE_HEADER,
  BAGGAGE_MEMBER,
  BASELINE_LANE,
  CANARY_LANE,
  NAMED_USERS,
  type PassThroughMode,
  ROUTE_HEADER,
  SERVICES,
  SIDECAR_MODES,
  TAG_HEADER,
  USER_HEADER,
  WALKTHROUGH_USERS,
} from "../../scripts/lib/envoy/topology.ts";
import { runSync } from "../../scripts/lib/process.ts";
import { type DockerEngine, skipUnlessDockerEngine, startDockerEngine } from "../support/docker-engine.ts";
import { referenceTag } from "../support/fnv1a.ts";
import { skipLoudly } from "../support/required-tools.ts";

const SUITE = "tests/docker/compose.test.ts (docker compose up in envoy/)";
const PROJECT_DIR = new URL("../..", import.meta.url).pathname;
const ENVOY_DIR = new URL("../../envoy", import.meta.url).pathname;
/** Compose names the project after the directory; its containers, networks and volumes carry this label. */
const PROJECT_LABEL = "label=com.docker.compose.project=envoy";
const INGRESS = `http://127.0.0.1:${DOCKER_INGRESS_PORT}`;
const ADMIN = `http://127.0.0.1:${DOCKER_ADMIN_PORT}`;

/** `docker compose` (v2, as envoy/README.md says), else Debian's `docker-compose` v1. */
function composeCommand(): string[] | undefined {
  if (spawnSync("docker", ["compose", "version"], { stdio: "ignore" }).status === 0) return ["docker", "compose"];
  if (spawnSync("docker-compose", ["version"], { stdio: "ignore" }).status === 0) return ["docker-compose"];
  return undefined;
}

const compose = composeCommand();
const skip =
  skipUnlessDockerEngine(SUITE) ??
  (compose
    ? undefined
    : skipLoudly(
        SUITE,
        "neither `docker compose` nor `docker-compose` is installed",
        "install Compose v2 as the docker CLI plugin, or `apt-get install docker-compose`",
      ));

/** The lane a user rides: a named user's route wins over the hash. */
function laneOf(user: string) {
  return NAMED_USERS.find((named) => named.user === user)?.lane ?? (referenceTag(user) === CANARY_LANE.tag ? CANARY_LANE : BASELINE_LANE);
}

/** Each hop's app and version: the lane's version where the service has it, else v1 (loose mode). */
function expectedHops(user: string | undefined): string[] {
  const lane = user === undefined ? BASELINE_LANE : laneOf(user);
  return SERVICES.map((s) => `${s.app}(version: ${s.versions.includes(lane.version) ? lane.version : BASELINE_LANE.version})`);
}

const HOP = /-> (\w+)\(version: (\w+), ip: ([^)]+)\)/g;

/** One bounded GET (10 s); a refused connection is an answer of status 0. */
async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; route: string | null }> {
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: (await response.text()).trimEnd(), route: response.headers.get(ROUTE_HEADER) };
  } catch (error) {
    return { status: 0, body: String((error as Error).cause ?? error), route: null };
  }
}

async function counters(): Promise<Map<string, number>> {
  const text = (await get(`${ADMIN}/stats?filter=^wasmcustom\\.hash_tagging\\.`)).body;
  return new Map([...text.matchAll(/^(\S+): (\d+)$/gm)].map(([, name, value]) => [name, Number(value)]));
}

const run = (command: string[], cwd = PROJECT_DIR, env: Record<string, string> = {}) => {
  const result = runSync(command[0], command.slice(1), { cwd, timeoutMs: 900_000, env: { ...process.env, ...env } });
  if (result.code !== 0)
    throw new Error(
      `\`${command.join(" ")}\` in ${cwd} failed (${result.error?.message ?? `exit ${result.code}`}):\n${`${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-25).join("\n")}`,
    );
  return result.stdout;
};
const leftovers = () =>
  ["ps -a", "network ls", "volume ls"]
    .map((what) => run(["docker", ...what.split(" "), "--quiet", "--filter", PROJECT_LABEL]).trim())
    .join(" ")
    .trim();
const hopsOf = (body: string) => [...body.matchAll(HOP)].map(([, app, version]) => `${app}(version: ${version})`);

let engine: DockerEngine | undefined;

before(async () => {
  if (skip) return;
  engine = await startDockerEngine();
  process.stderr.write(`docker suite: ${engine.private ? `private dockerd at ${engine.env.DOCKER_HOST}` : "the running Docker engine"}\n`);
  // This test process, the stand-in builder and every command below talk to that engine.
  if (engine.private) process.env.DOCKER_HOST = engine.env.DOCKER_HOST;
  await buildStandIns((line) => process.stderr.write(`${line}\n`));
  run(["npm", "run", "asbuild"]);
});

after(async () => {
  await engine?.stop();
});

function composeUp(mode: PassThroughMode): void {
  const env = { [PASS_THROUGH_VARIABLE]: mode };
  let up = false;

  before(async () => {
    if (skip) return;
    assert.equal(leftovers(), "", "containers, networks or volumes of a compose project named envoy exist already");
    // The compose file publishes fixed ports: another testbed on them would answer in its place.
    await assertPortFree(DOCKER_INGRESS_PORT, "docker compose's ingress");
    await assertPortFree(DOCKER_ADMIN_PORT, "docker compose's Envoy admin");
    up = true;
    run([...compose!, "up", "-d", "--build"], ENVOY_DIR, env);
    // The gateway, the sidecars and the four apps start in any order: wait (bounded) until a chain answers for both lanes.
    for (let attempt = 0; ; attempt++) {
      const [baseline, canary] = await Promise.all([get(`${INGRESS}/`), get(`${INGRESS}/`, { [USER_HEADER]: NAMED_USERS[0].user })]);
      if (baseline.status === 200 && canary.status === 200) break;
      if (attempt === 120)
        throw new Error(
          `port ${DOCKER_INGRESS_PORT} did not serve both lanes within 120 tries: ${baseline.status} ${baseline.body} | ${canary.status} ${canary.body}\n${run([...compose!, "logs", "--tail", "20"], ENVOY_DIR, env)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  });

  after(() => {
    if (up)
      spawnSync(compose![0], [...compose!.slice(1), "down"], {
        cwd: ENVOY_DIR,
        stdio: "ignore",
        timeout: 120_000,
        env: { ...process.env, ...env },
      });
  });

  test(`the walk-through through port 10000: every user, three hops in three containers, on the lane expected (apps forward ${SIDECAR_MODES[mode].app.forwardHeaders.join(" and ")})`, {
    skip,
  }, async (t) => {
    const served: string[] = [];
    for (const user of WALKTHROUGH_USERS) {
      const reply = await get(`${INGRESS}/`, { [USER_HEADER]: user });
      assert.equal(reply.status, 200, `user ${user}: HTTP ${reply.status}: ${reply.body}`);
      assert.deepEqual(hopsOf(reply.body), expectedHops(user), `user ${user}: ${reply.body}`);
      assert.equal(
        new Set([...reply.body.matchAll(HOP)].map(([, , , ip]) => ip)).size,
        SERVICES.length,
        `user ${user}: each hop answers from its own container: ${reply.body}`,
      );
      // The ingress route that matched: the named-user route, else the one for the tag the filter wrote.
      const route = NAMED_USERS.some((named) => named.user === user) ? `user-${user}` : `tag-${referenceTag(user)}`;
      assert.equal(reply.route, route, `user ${user}: ${ROUTE_HEADER}`);
      served.push(`${reply.body}   user ${user} requested`);
    }
    t.diagnostic(`walk-through served by the compose testbed, ${mode} pass-through:\n${served.join("\n")}`);
    const anonymous = await get(`${INGRESS}/`);
    assert.deepEqual(hopsOf(anonymous.body), expectedHops(undefined), "no user id: the baseline lane");
    assert.equal(anonymous.route, "baseline", `no user id: ${ROUTE_HEADER}`);
  });

  test("a client cannot pick a lane: a forged tag without a user id, or a forged baggage member, rides the baseline", {
    skip,
  }, async () => {
    const forged: Record<string, string>[] = [
      { [TAG_HEADER]: "s2" },
      { [BAGGAGE_HEADER]: `${BAGGAGE_MEMBER}=s2` },
      { [USER_HEADER]: "bob", [BAGGAGE_HEADER]: `${BAGGAGE_MEMBER}=s2` },
    ];
    for (const headers of forged) {
      assert.deepEqual(hopsOf((await get(`${INGRESS}/`, headers)).body), expectedHops(headers[USER_HEADER]), JSON.stringify(headers));
    }
  });

  test("the admin port counts each decision: one tag per user request, one no_key per request without a user", { skip }, async () => {
    const users = [...WALKTHROUGH_USERS, ...WALKTHROUGH_USERS];
    const anonymous = 3;
    const before = await counters();
    for (const user of users) assert.equal((await get(`${INGRESS}/`, { [USER_HEADER]: user })).status, 200);
    for (let i = 0; i < anonymous; i++) assert.equal((await get(`${INGRESS}/`)).status, 200);
    const after = await counters();
    const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    const want: Record<string, number> = { no_key: anonymous, past_last_range: 0 };
    for (const user of users) want[`tag.${referenceTag(user)}`] = (want[`tag.${referenceTag(user)}`] ?? 0) + 1;
    for (const [counter, value] of Object.entries(want)) {
      const name = `wasmcustom.hash_tagging.rule_0.${counter}`;
      assert.ok(after.has(name), `${name} missing from ${ADMIN}/stats`);
      assert.equal(delta(name), value, `${name}: went up by ${delta(name)}, want ${value}`);
    }
  });

  test("docker compose down leaves no container, network or volume of the project", { skip }, () => {
    assert.notEqual(leftovers(), "", "the project's containers and network are there before down");
    run([...compose!, "down"], ENVOY_DIR, env);
    up = false;
    assert.equal(leftovers(), "", "left after docker compose down");
  });
}

for (const mode of Object.keys(SIDECAR_MODES) as PassThroughMode[]) {
  describe(`docker compose up in envoy/, as envoy/README.md says, ${PASS_THROUGH_VARIABLE}=${mode}`, () => composeUp(mode));
}
