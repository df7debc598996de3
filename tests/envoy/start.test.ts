// `npm start` as a person uses it: walk-through printed, serving until Ctrl-C, nothing left running.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { after, test } from "node:test";
import { WALKTHROUGH_USERS } from "../../scripts/lib/envoy/topology.ts";
import { REPO_ROOT } from "../../scripts/lib/paths.ts";
import { chainFor, closeClients, envoyForTests, expectedTag, get } from "./support.ts";

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill("SIGKILL");
  closeClients();
});

function start(
  ingressPort: number,
  env: Record<string, string> = {},
): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "scripts/start.ts")], {
    cwd: REPO_ROOT,
    env: { ...process.env, INGRESS_PORT: String(ingressPort), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c));
  child.stderr!.on("data", (c: Buffer) => (out += c));
  const exit = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  return { child, output: () => out, exit };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("npm start prints one chain per walk-through user, serves until SIGINT, then leaves no Envoy behind", async () => {
  await envoyForTests(); // install outside the start-up timeout below
  const s = start(0);
  const deadline = Date.now() + 60_000;
  let served: RegExpExecArray | null = null;
  while (!(served = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(s.output())) && Date.now() < deadline) {
    if (s.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(served, `got no "serving on" line from npm start within 60 s:\n${s.output()}`);
  for (const user of WALKTHROUGH_USERS) {
    const want = `${chainFor(user === "jason" ? "v2" : expectedTag(user) === "s2" ? "v2" : "v1")}   user ${user} requested`;
    assert.ok(s.output().includes(`${want}\n`), `got no line ${JSON.stringify(want)} in:\n${s.output()}`);
  }
  const r = await get(`${served[1]}/`, { "x-user-id": "jack" });
  assert.equal(r.body.trimEnd(), chainFor("v2"), `got ${r.body.trimEnd()}, want ${chainFor("v2")}`);
  closeClients();

  const envoyPid = Number(/\(pid (\d+)\)/.exec(s.output())?.[1]);
  assert.ok(alive(envoyPid), `Envoy pid ${envoyPid} from the output is not running`);
  s.child.kill("SIGINT");
  const code = await Promise.race([s.exit, new Promise((r) => setTimeout(() => r("timeout"), 15_000).unref())]);
  assert.equal(code, 0, `got exit ${code} after SIGINT, want 0:\n${s.output()}`);
  assert.equal(alive(envoyPid), false, `Envoy pid ${envoyPid} still runs after npm start stopped`);
});

test("npm start on a port already in use fails with a clear error", async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  const port = (blocker.address() as AddressInfo).port;
  try {
    const s = start(port);
    const code = await s.exit;
    assert.equal(code, 1, `got exit ${code}, want 1:\n${s.output()}`);
    assert.match(s.output(), new RegExp(`127\\.0\\.0\\.1:${port} \\(Envoy ingress; set INGRESS_PORT to use another\\) is already in use`));
  } finally {
    blocker.close();
  }
});

test("npm start with an unknown PASS_THROUGH fails naming the modes", async () => {
  const s = start(0, { PASS_THROUGH: "sideways" });
  assert.equal(await s.exit, 1, s.output());
  assert.match(s.output(), /start: PASS_THROUGH=sideways: expected trace-id or baggage/);
});
