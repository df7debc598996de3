// npm run envoy:config — write envoy/'s Envoy configs, the apps' settings and docker-compose.yaml from scripts/lib/envoy/.
// With --check, write nothing and fail if the committed files differ from the generator's output.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { dockerFiles } from "./lib/envoy/docker.ts";
import { REPO_ROOT } from "./lib/paths.ts";

const check = process.argv.includes("--check");
let stale = 0;
for (const [path, content] of Object.entries(dockerFiles())) {
  const file = join(REPO_ROOT, path);
  if (check) {
    let current = "";
    try {
      current = readFileSync(file, "utf8");
    } catch {}
    if (current !== content) {
      console.error(`${path}: differs from the generator's output (run npm run envoy:config)`);
      stale++;
    }
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    console.log(`wrote ${path}`);
  }
}
process.exit(stale ? 1 : 0);
