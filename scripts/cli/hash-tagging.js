#!/usr/bin/env node
// The `hash-tagging` bin. In a clone it runs the TypeScript source through tsx, as every npm script of
// the project does; the package (npm pack) ships the compiled JavaScript in dist/ instead, which needs
// nothing but Node.
import { existsSync } from "node:fs";

const source = new URL("./main.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import(new URL("../../dist/scripts/cli/main.js", import.meta.url).href);
}
