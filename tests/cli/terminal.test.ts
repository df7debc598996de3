// On a terminal (a pseudo-terminal from util-linux's `script`) split shows a progress bar on stderr and
// colours its output; piped, as in every other test of this suite, it shows neither.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { it } from "node:test";
import { SHIPPED } from "./run-cli.ts";

it("draws a progress bar and colours only on a terminal", () => {
  const command = `${process.execPath} scripts/cli/hash-tagging.js split ${SHIPPED} --sample 50000`;
  const result = spawnSync("script", ["-qec", command, "/dev/null"], { encoding: "utf8", env: { ...process.env, NO_COLOR: undefined } });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /split \[[=-]{40}\] \d+% \| ETA/, "progress bar");
  assert.match(result.stdout, /\x1b\[1mrule_0\x1b\[22m: x-user-id -> x-asm-prefer-tag, 50,000 ids/, "bold rule name");
  const piped = spawnSync(process.execPath, ["scripts/cli/hash-tagging.js", "split", SHIPPED, "--sample", "50000"], { encoding: "utf8" });
  assert.equal(piped.status, 0);
  assert.equal(piped.stderr, "");
  assert.doesNotMatch(piped.stdout, /\x1b\[/);
  assert.match(piped.stdout, /\nrule_0: x-user-id -> x-asm-prefer-tag, 50,000 ids\n/);
});
