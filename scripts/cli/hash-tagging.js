#!/usr/bin/env node
// The `hash-tagging` bin: runs the TypeScript CLI through tsx, as every npm script of the project does.
import { register } from "tsx/esm/api";

register();
await import("./main.ts");
