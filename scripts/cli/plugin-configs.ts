// Plugin configurations in files: WasmPlugin manifests (every document of kind WasmPlugin), or a bare
// pluginConfig in YAML or JSON. `validate` judges them all; which/split/diff take one.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { CliError } from "./cli-error.ts";

export interface PluginConfigSource {
  path: string;
  /** What it is: `WasmPlugin <namespace>/<name>`, or `pluginConfig`. */
  subject: string;
  /** The pluginConfig as Istio would send it (JSON text; empty when the WasmPlugin has none). */
  text: string;
  /** The same, parsed (undefined when absent). */
  config: unknown;
}

type Document = Record<string, unknown>;

/** A file that cannot be checked at all, and why. */
export class ConfigFileError extends CliError {
  constructor(
    path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

export const isObject = (v: unknown): v is Document => typeof v === "object" && v !== null && !Array.isArray(v);

/** A WasmPlugin spec's pluginConfig as Istio sends it to the proxy: JSON text, empty when there is none. */
export const pluginConfigText = (spec: Document): string => (spec.pluginConfig === undefined ? "" : JSON.stringify(spec.pluginConfig));

function configsIn(path: string, documents: unknown[]): PluginConfigSource[] {
  const plugins = documents.filter((d): d is Document => isObject(d) && d.kind === "WasmPlugin");
  if (plugins.length > 0) {
    return plugins.map((plugin) => {
      const metadata = isObject(plugin.metadata) ? plugin.metadata : {};
      const spec = isObject(plugin.spec) ? plugin.spec : {};
      // Istio sends an empty configuration when pluginConfig is absent; the filter refuses that.
      const text = pluginConfigText(spec);
      const subject = `WasmPlugin ${metadata.namespace ?? "default"}/${metadata.name ?? "(no name)"}`;
      return { path, subject, text, config: spec.pluginConfig };
    });
  }
  return documents
    .filter((d): d is Document => isObject(d) && "rules" in d)
    .map((config) => ({ path, subject: "pluginConfig", text: JSON.stringify(config), config }));
}

/** Every configuration in the file; a file that cannot be read or holds none throws a CliError saying why. */
export function readPluginConfigs(path: string): PluginConfigSource[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigFileError(path, `cannot read: ${(e as Error).message}`);
  }
  const documents = parseAllDocuments(text);
  const broken = documents.find((d) => d.errors.length > 0);
  if (broken) throw new ConfigFileError(path, `not YAML or JSON: ${broken.errors[0].message.split("\n")[0]}`);
  const configs = configsIn(
    path,
    documents.map((d) => d.toJS()),
  );
  if (configs.length === 0) throw new ConfigFileError(path, 'holds no WasmPlugin and no pluginConfig (an object with "rules")');
  return configs;
}

/** The one configuration of the file, or the WasmPlugin named `name` when the file holds several. */
export function readPluginConfig(path: string, name?: string): PluginConfigSource {
  const configs = readPluginConfigs(path);
  if (name !== undefined) {
    const named = configs.filter((c) => c.subject.endsWith(`/${name}`));
    if (named.length !== 1) {
      throw new CliError(
        `${path}: ${named.length === 0 ? "holds no" : "holds more than one"} WasmPlugin named ${name} (it has: ${configs.map((c) => c.subject).join(", ")})`,
      );
    }
    return named[0];
  }
  if (configs.length > 1) {
    throw new CliError(
      `${path}: holds ${configs.length} configurations (${configs.map((c) => c.subject).join(", ")}): choose one with --plugin NAME`,
    );
  }
  return configs[0];
}
