// `validate FILE...`: each configuration judged by the compiled filter, with what it would log in Envoy.
// Exit 1 if any is refused or any file cannot be checked.
import { loadPlugin } from "../lib/host/index.ts";
import { EXIT } from "./cli-error.ts";
import { ConfigFileError, readPluginConfigs } from "./plugin-configs.ts";
import { colours } from "./terminal.ts";

export interface ConfigVerdict {
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

/** One configuration (JSON text, as Istio sends it) judged by a fresh instance of the filter, as Envoy would. */
export async function judgeConfig(wasm: string | Uint8Array, text: string): Promise<{ accepted: boolean; lines: string[] }> {
  const plugin = await loadPlugin(wasm);
  const { accepted, logs } = plugin.configure(text);
  return { accepted, lines: logs.filter((l) => (accepted ? l.level === "info" : l.level === "error")).map((l) => l.message) };
}

async function checkFile(path: string, wasmPath: string): Promise<FileReport> {
  let configs;
  try {
    configs = readPluginConfigs(path);
  } catch (e) {
    if (!(e instanceof ConfigFileError)) throw e;
    return { path, problem: e.problem, verdicts: [] };
  }
  const verdicts: ConfigVerdict[] = [];
  for (const { subject, text } of configs) verdicts.push({ subject, ...(await judgeConfig(wasmPath, text)) });
  return { path, verdicts };
}

/** Every file's verdicts; a file that cannot be checked says why instead. */
export async function checkConfigFiles(paths: string[], wasmPath: string): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  for (const path of paths) reports.push(await checkFile(path, wasmPath));
  return reports;
}

export async function validate(paths: string[], options: { wasm: string; json?: boolean }): Promise<number> {
  const reports = await checkConfigFiles(paths, options.wasm);
  const failed = reports.some((r) => r.problem !== undefined || r.verdicts.some((v) => !v.accepted));
  if (options.json) {
    console.log(JSON.stringify(reports, null, 2));
  } else {
    for (const report of reports) {
      if (report.problem !== undefined) console.log(`${report.path}: ${colours.red(report.problem)}`);
      for (const verdict of report.verdicts) {
        const word = verdict.accepted ? colours.green("accepted") : colours.red("refused");
        console.log(`${report.path}: ${verdict.subject}: ${word}`);
        for (const line of verdict.lines) console.log(`  ${line}`);
      }
    }
  }
  return failed ? EXIT.refused : 0;
}
