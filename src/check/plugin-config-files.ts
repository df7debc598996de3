// Checks plugin configurations in files with the compiled filter itself, before they reach a gateway:
// WasmPlugin manifests (every document of kind WasmPlugin), or a bare pluginConfig in YAML or JSON.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { loadPlugin } from "../host/index.ts";

export interface ConfigVerdict {
  /** What was checked: `WasmPlugin <namespace>/<name>`, or `pluginConfig`. */
  subject: string;
  accepted: boolean;
  /** The filter's error lines when refused, its acceptance line when accepted. */
  lines: string[];
}

export interface FileReport {
  path: string;
  /** Why the file could not be checked at all, or undefined. */
  problem?: string;
  verdicts: ConfigVerdict[];
}

type Document = Record<string, unknown>;

const isObject = (v: unknown): v is Document => typeof v === "object" && v !== null && !Array.isArray(v);

function configsIn(documents: unknown[]): Array<{ subject: string; config: string }> {
  const plugins = documents.filter((d): d is Document => isObject(d) && d.kind === "WasmPlugin");
  if (plugins.length > 0) {
    return plugins.map((plugin) => {
      const metadata = isObject(plugin.metadata) ? plugin.metadata : {};
      const spec = isObject(plugin.spec) ? plugin.spec : {};
      // Istio sends an empty configuration when pluginConfig is absent; the filter refuses that.
      const config = spec.pluginConfig === undefined ? "" : JSON.stringify(spec.pluginConfig);
      return { subject: `WasmPlugin ${metadata.namespace ?? "default"}/${metadata.name ?? "(no name)"}`, config };
    });
  }
  return documents.filter((d): d is Document => isObject(d) && "rules" in d).map((d) => ({ subject: "pluginConfig", config: JSON.stringify(d) }));
}

async function checkFile(path: string, wasmPath: string): Promise<FileReport> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    return { path, problem: `cannot read: ${(e as Error).message}`, verdicts: [] };
  }
  const documents = parseAllDocuments(text);
  const broken = documents.find((d) => d.errors.length > 0);
  if (broken) return { path, problem: `not YAML or JSON: ${broken.errors[0].message.split("\n")[0]}`, verdicts: [] };
  const configs = configsIn(documents.map((d) => d.toJS()));
  if (configs.length === 0) return { path, problem: "holds no WasmPlugin and no pluginConfig (an object with \"rules\")", verdicts: [] };
  const verdicts: ConfigVerdict[] = [];
  for (const { subject, config } of configs) {
    const plugin = await loadPlugin(wasmPath);
    const { accepted, logs } = plugin.configure(config);
    const lines = logs.filter((l) => (accepted ? l.level === "info" : l.level === "error")).map((l) => l.message);
    verdicts.push({ subject, accepted, lines });
  }
  return { path, verdicts };
}

/** Every file's verdicts; a file that cannot be checked says why instead. */
export async function checkConfigFiles(paths: string[], wasmPath: string): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  for (const path of paths) reports.push(await checkFile(path, wasmPath));
  return reports;
}
