// The CLI as a user installs it: `npm pack` (its prepack builds the wasm and the JavaScript), then
// `npm install -g` of the tarball into an empty prefix, then validate, which, split and diff run from
// an unrelated folder with a bare environment. A first install may ask the registry for the
// dependencies' metadata (npm ci caches only their tarballs); a second one, into another empty
// prefix, runs offline: the tarball and npm's cache are all it needs. The pack runs in a copy of the
// clone, so the suites running beside it keep their build/ untouched.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { it } from "node:test";
import { REPO_ROOT } from "../../scripts/lib/paths.ts";
import { json, SHIPPED, scratch } from "../cli/run-cli.ts";
import { referenceConfigWithCanary } from "../support/configs.ts";
import { fnv1a32, referenceTag } from "../support/fnv1a.ts";

const { dir, file } = scratch("package");
// The npm installed beside node, not node_modules/.bin's (a dependency of as-pect brings npm 6 there).
const NPM = join(dirname(process.execPath), "npm");

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }) {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 26, timeout: options.timeoutMs ?? 300_000, ...options });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A copy of the clone's files (tracked, and new ones not ignored), sharing its node_modules (the build tools the pack runs). */
function cloneCopy(): string {
  const copy = join(dir, "clone");
  const tracked = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT })
    .stdout.split("\0")
    .filter(Boolean);
  assert.ok(tracked.includes("package.json"), "git ls-files lists the clone's files");
  for (const path of tracked) {
    if (!existsSync(join(REPO_ROOT, path))) continue;
    mkdirSync(dirname(join(copy, path)), { recursive: true });
    cpSync(join(REPO_ROOT, path), join(copy, path));
  }
  symlinkSync(join(REPO_ROOT, "node_modules"), join(copy, "node_modules"));
  return copy;
}

it("finds npm beside node", () => assert.ok(existsSync(NPM), `${NPM}: the test needs npm installed with node`));

it("packs into a tarball that installs offline and runs validate, which, split and diff with Node alone", { timeout: 900_000 }, () => {
  const clone = cloneCopy();
  const pack = run(NPM, ["pack", "--pack-destination", dir], { cwd: clone });
  assert.equal(pack.status, 0, `npm pack: ${pack.stderr}`);
  const tarball = readdirSync(dir).find((name) => /^hash-tagging-.*\.tgz$/.test(name));
  assert.ok(tarball, `a tarball in ${dir}`);

  const listing = run("tar", ["tzf", join(dir, tarball)], { cwd: dir })
    .stdout.trim()
    .split("\n");
  assert.ok(listing.includes("package/build/plugin.wasm"), "the release wasm is inside");
  assert.ok(listing.includes("package/dist/scripts/cli/main.js"), "the compiled CLI is inside");
  assert.deepEqual(
    listing.filter((path) => path.endsWith(".ts")),
    [],
    "no TypeScript to run",
  );

  const install = (prefix: string, mode: string) =>
    run(NPM, ["install", "-g", mode, "--no-audit", "--no-fund", "--prefix", prefix, join(dir, tarball)], { cwd: dir });
  const online = install(join(dir, "first-prefix"), "--prefer-offline");
  assert.equal(online.status, 0, `npm install --prefer-offline: ${online.stderr}`);
  const prefix = join(dir, "prefix");
  const offline = install(prefix, "--offline");
  assert.equal(offline.status, 0, `npm install --offline: ${offline.stderr}`);
  const installed = join(prefix, "lib", "node_modules", "hash-tagging");
  const modules = readdirSync(join(installed, "node_modules"));
  for (const tool of ["tsx", "typescript", "assemblyscript", "patch-package"])
    assert.ok(!modules.includes(tool), `${tool} is not installed for a user`);
  // `prepare` (patch-package, for the build tools of a clone) must not run: patch-package is not even
  // installed, so running it would have failed the install. npm 11 lists it as an install script all the same.
  assert.doesNotMatch(
    online.stdout + online.stderr + offline.stdout + offline.stderr,
    /Applying patches/,
    "no clone-only lifecycle script ran",
  );

  // An unrelated folder and a bare environment: only node on PATH, a fresh HOME.
  const work = join(dir, "work");
  mkdirSync(join(work, "home"), { recursive: true });
  const manifest = join(work, "wasmplugin.yaml");
  cpSync(join(REPO_ROOT, SHIPPED), manifest);
  const ramp = file("work/ramp-50.json", json(referenceConfigWithCanary(50)));
  const ids = Array.from({ length: 5000 }, (_, i) => `member-${i}`);
  const idsFile = file("work/users.txt", `${ids.join("\n")}\n`);
  const env = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: join(work, "home") };
  const bin = join(prefix, "bin", "hash-tagging");
  // Text answers go to the log, as an operator sees them; JSON ones are only checked.
  const cli = (...args: string[]) => {
    const result = run(bin, args, { cwd: work, env, timeoutMs: 60_000 });
    if (!args.includes("--json"))
      console.log(
        `$ hash-tagging ${args.map((a) => a.replace(`${work}/`, "")).join(" ")}  (exit ${result.status})\n${result.stdout}${result.stderr}`,
      );
    return result;
  };

  const version = cli("--version");
  assert.equal(version.status, 0);
  const wasm = readFileSync(join(installed, "build", "plugin.wasm"));
  const version_ = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")).version;
  assert.match(
    version.stdout,
    new RegExp(`^hash-tagging ${version_}\\nplugin\\.wasm sha256 ${createHash("sha256").update(wasm).digest("hex")} `),
  );
  assert.ok(version.stdout.includes(installed), "the wasm it names is the package's own");

  const validate = cli("validate", "wasmplugin.yaml");
  assert.equal(validate.status, 0, validate.stderr);
  assert.match(validate.stdout, /wasmplugin\.yaml: WasmPlugin istio-system\/hash-tagging: accepted/);

  assert.equal(cli("which", "wasmplugin.yaml", "jason", "bob").status, 0);
  const which = cli("which", "--json", "wasmplugin.yaml", "jason", "bob");
  assert.equal(which.status, 0, which.stderr);
  assert.deepEqual(
    JSON.parse(which.stdout).map((r: { bucket: number; tag: string }) => [r.bucket, r.tag]),
    ["jason", "bob"].map((id) => [fnv1a32(Buffer.from(id)) % 100, referenceTag(id)]),
  );

  assert.equal(cli("split", "wasmplugin.yaml", "users.txt").status, 0);
  const split = cli("split", "--json", "wasmplugin.yaml", "users.txt");
  assert.equal(split.status, 0, split.stderr);
  const s2 = ids.filter((id) => referenceTag(id) === "s2").length;
  assert.equal(JSON.parse(split.stdout).rules[0].lanes.find((l: { lane: string }) => l.lane === "s2").count, s2);

  const diff = cli("diff", "wasmplugin.yaml", ramp, idsFile, "--expect-only-into", "s2");
  assert.equal(diff.status, 0, diff.stderr);
  assert.match(diff.stdout, /change lane/);
});
