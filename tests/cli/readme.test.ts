// The CLI examples of the README and of scripts/cli/README.md are real: each console block's `$ ` lines
// are run in order (in a scratch directory that sees deploy/ and build/) and must print exactly the
// lines below them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { symlinkSync } from "node:fs";
import { resolve } from "node:path";
import { it } from "node:test";
import { codeBlocks, readme, section } from "../support/readme.ts";
import { scratch } from "./run-cli.ts";

const BIN = resolve("scripts/cli/hash-tagging.js");
const BLOCKS: Array<{ where: string; text: string }> = [
  { where: "README.md's CLI section", text: section(readme(), "## CLI") },
  { where: "scripts/cli/README.md", text: readme("scripts/cli/README.md") },
];

/** A console block's commands, each with the output shown for it. */
function steps(block: string): Array<{ command: string; output: string }> {
  const found: Array<{ command: string; output: string }> = [];
  for (const line of block.split("\n").slice(0, -1)) {
    if (line.startsWith("$ ")) found.push({ command: line.slice(2), output: "" });
    else found[found.length - 1].output += `${line}\n`;
  }
  return found;
}

const examples = BLOCKS.flatMap(({ where, text }) =>
  codeBlocks(text, "console").map((block, i) => ({ name: `${where}, console block ${i + 1}`, steps: steps(block) })),
);

it("the CLI examples show which, split and diff", () => {
  for (const { where, text } of BLOCKS) assert.ok(codeBlocks(text, "console").length > 0, `a console block in ${where}`);
  const commands = examples.flatMap((e) => e.steps.map((s) => s.command));
  for (const name of ["which", "split", "diff"]) {
    assert.ok(
      commands.some((c) => c.startsWith(`npx hash-tagging ${name} `)),
      `no \`npx hash-tagging ${name}\` example`,
    );
  }
});

for (const example of examples) {
  it(`prints exactly what ${example.name} shows`, () => {
    const { dir } = scratch("readme");
    symlinkSync(resolve("deploy"), `${dir}/deploy`);
    symlinkSync(resolve("build"), `${dir}/build`);
    for (const { command, output } of example.steps) {
      const runnable = command.replace(/^npx hash-tagging /, `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} `);
      const result = spawnSync("bash", ["-c", runnable], { cwd: dir, encoding: "utf8" });
      assert.equal(result.status, 0, `${command}: ${result.stderr}`);
      assert.equal(result.stdout, output, command);
    }
  });
}
