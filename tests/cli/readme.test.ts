// The README's CLI examples are real: each `$ ` line of the console block in its CLI section is run
// (in a scratch directory that sees deploy/ and build/) and must print exactly the lines below it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, symlinkSync } from "node:fs";
import { resolve } from "node:path";
import { it } from "node:test";
import { scratch } from "./run-cli.ts";

const SECTION = "## CLI: ask the compiled filter";
const BIN = resolve("scripts/cli/hash-tagging.js");

/** The console block's commands, each with the output the README shows for it. */
function examples(): Array<{ command: string; output: string }> {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.slice(readme.indexOf(SECTION), readme.indexOf("\n## ", readme.indexOf(SECTION) + 1));
  const block = /```console\n([\s\S]*?)```/.exec(section);
  assert.ok(block, `a console block in the README's "${SECTION}" section`);
  const steps: Array<{ command: string; output: string }> = [];
  for (const line of block[1].split("\n").slice(0, -1)) {
    if (line.startsWith("$ ")) steps.push({ command: line.slice(2), output: "" });
    else steps[steps.length - 1].output += `${line}\n`;
  }
  return steps;
}

it("prints exactly what the README's CLI section shows", () => {
  const { dir } = scratch("readme");
  symlinkSync(resolve("deploy"), `${dir}/deploy`);
  symlinkSync(resolve("build"), `${dir}/build`);
  const steps = examples();
  assert.ok(steps.filter((s) => s.command.startsWith("npx hash-tagging ")).length >= 3, "which, split and diff shown");
  for (const { command, output } of steps) {
    const runnable = command.replace(/^npx hash-tagging /, `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} `);
    const result = spawnSync("bash", ["-c", runnable], { cwd: dir, encoding: "utf8" });
    assert.equal(result.status, 0, `${command}: ${result.stderr}`);
    assert.equal(result.stdout, output, command);
  }
});
