// `npx hash-tagging validate|which|split|diff`: operators' questions answered by build/plugin.wasm, the
// filter the gateway runs, in the Node Proxy-Wasm host: the same parser, hash and errors as Envoy.
import { existsSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { PLUGIN_WASM } from "../lib/paths.ts";
import { CliError, EXIT } from "./cli-error.ts";
import { CSV_HEADER_CHOICES } from "./csv-ids.ts";
import { diff } from "./diff.ts";
import { lanes } from "./lanes/command.ts";
import { split } from "./split.ts";
import { validate } from "./validate.ts";
import { versionText } from "./version.ts";
import { portNumber, webhook } from "./webhook/command.ts";
import { which } from "./which.ts";

const SHIPPED = "deploy/istio/base/wasmplugin.yaml";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new CliError(`--sample ${JSON.stringify(value)}: expected a positive integer`);
  return n;
}

function common(command: Command): Command {
  return command
    .option("--json", "print JSON for scripts instead of text")
    .addOption(new Option("--wasm <file>", "the compiled filter to ask").default(PLUGIN_WASM, "the package's build/plugin.wasm"));
}

/** Where split and diff take ids from, besides a file of one id per line. */
function idOptions(command: Command): Command {
  return command
    .addOption(new Option("--sample <n>", "without an ids file: use N random ids").argParser(positiveInteger))
    .option("--column <name|n>", "the ids file is CSV or TSV: take ids from this column (a header name, or a number from 1)")
    .addOption(new Option("--csv-header <when>", "with --column N: whether row 1 is a header").choices(CSV_HEADER_CHOICES).default("auto"));
}

/** Options that pick the configuration and shape the request each id is sent in. */
function requestOptions(command: Command): Command {
  return command
    .option("--plugin <name>", "the WasmPlugin to use when FILE holds several")
    .option("--header <name=value>", "add a request header (repeatable)", collect, [])
    .option("--cookie <cookies>", "the request's Cookie header, e.g. 'session=abc; lang=en'")
    .option("--host <host>", "the request's host (:authority)")
    .option("--path <path>", "the request's path with query (:path)", "/");
}

/** Runs a command's action, turning its result into the exit code. */
function action<A extends unknown[]>(run: (...args: A) => Promise<number>) {
  return async (...args: A) => {
    const options = args.at(-2) as { wasm?: string };
    if (options.wasm !== undefined && !existsSync(options.wasm)) {
      throw new CliError(`${options.wasm} not found: build the filter first (npm run asbuild)`);
    }
    process.exitCode = await run(...args);
  };
}

const program = new Command("hash-tagging")
  .description(
    "Answers an operator's questions with the compiled filter (build/plugin.wasm) in a Node Proxy-Wasm host.\nExit codes: 0 fine, 1 configuration refused, 2 bad file, id or argument, 3 diff --expect-only-into failed.",
  )
  .addHelpText(
    "after",
    `\nExamples:\n  $ npx hash-tagging validate ${SHIPPED}\n  $ npx hash-tagging which ${SHIPPED} jason bob\n  $ npx hash-tagging split ${SHIPPED} --sample 100000\n  $ npx hash-tagging diff ${SHIPPED} ramp-50.yaml users.txt --expect-only-into s2\n\nEach command's --help says more.`,
  )
  .version(versionText(), "-V, --version", "print the version and the sha256 of the filter it answers with")
  .showSuggestionAfterError(true)
  .exitOverride()
  .configureOutput({ outputError: (message, write) => write(`hash-tagging: ${message.replace(/^error: /, "").trim()}\n`) });

common(program.command("validate"))
  .description("judge each configuration with the filter, printing what it would log in Envoy; exit 1 if any is refused")
  .argument("<file...>", "WasmPlugin manifests (every kind: WasmPlugin document) or a bare pluginConfig, YAML or JSON")
  .addHelpText("after", `\nExample:\n  $ npx hash-tagging validate ${SHIPPED} my-edit.yaml`)
  .action(action(validate));

requestOptions(common(program.command("which")))
  .description("print, per id and rule, the bucket, the tag and why")
  .argument("<file>", "WasmPlugin manifest or pluginConfig")
  .argument("<id...>", "user ids (the key header's value); - reads ids from stdin, one per line")
  .addHelpText("after", `\nExample:\n  $ npx hash-tagging which ${SHIPPED} jason bob`)
  .action(action(which));

idOptions(requestOptions(common(program.command("split"))))
  .description("count each lane's share for a set of ids next to the share the config intends, and test the buckets for uniformity")
  .argument("<file>", "WasmPlugin manifest or pluginConfig")
  .argument("[ids]", "file of ids, one per line, or CSV/TSV with --column (- for stdin)")
  .option("--svg <out>", "also write the chart as SVG")
  .addHelpText(
    "after",
    `\nExamples:\n  $ npx hash-tagging split ${SHIPPED} users.txt\n  $ npx hash-tagging split ${SHIPPED} --sample 100000 --svg split.svg\n  $ npx hash-tagging split ${SHIPPED} users.csv --column user_id`,
  )
  .action(action(split));

idOptions(requestOptions(common(program.command("diff"))))
  .description("show whom an edit moves: per rule a from-lane by to-lane matrix, the movers, and flags on risky edits")
  .argument("<old>", "the configuration serving now")
  .argument("<new>", "the edited configuration")
  .argument("[ids]", "file of ids, one per line, or CSV/TSV with --column (- for stdin)")
  .option("--expect-only-into <lane>", "exit 3 if any user moves anywhere but into LANE (a CI gate before a ramp)")
  .addHelpText("after", `\nExample:\n  $ npx hash-tagging diff ${SHIPPED} ramp-50.yaml users.txt --expect-only-into s2`)
  .action(action(diff));

program
  .command("lanes")
  .description(
    "print the upstream Istio resources of a lane group (managed-mesh terms): DestinationRules, per-service and ingress VirtualServices, the sidecars' pass-through WasmPlugins",
  )
  .argument("<file>", "a lane group: name, ingressGateway, mode, routeHeader, passThrough, services, lanes")
  .option("--out <dir>", "write one file per kind into DIR (as deploy/istio/upstream/ ships them) instead of printing")
  .option("--image <url>", "the filter's oci:// image for the WasmPlugins (default: the REGISTRY/TAG placeholder)")
  .option("--sha256 <digest>", "the image's manifest digest (hex) to pin in the WasmPlugins")
  .addHelpText("after", "\nExample:\n  $ npx hash-tagging lanes deploy/istio/lane-group.yaml --out deploy/istio/upstream")
  .action(action(lanes));

program
  .command("webhook")
  .description(
    "serve Kubernetes AdmissionReview v1 on https://HOST:PORT/validate: deny a WasmPlugin of our image whose pluginConfig the filter refuses",
  )
  .requiredOption("--cert <file>", "the serving certificate (PEM), reloaded when the file changes")
  .requiredOption("--key <file>", "its private key (PEM), reloaded with it")
  .addOption(new Option("--port <n>", "the port to listen on").default(8443).argParser(portNumber))
  .option("--host <address>", "the address to listen on", "0.0.0.0")
  .option(
    "--image-prefix <prefix>",
    "ours: WasmPlugins whose spec.url starts with PREFIX (oci:// or docker:// optional); default: an image repository named hash-tagging",
  )
  .addOption(new Option("--wasm <file>", "the compiled filter that judges").default(PLUGIN_WASM, "the package's build/plugin.wasm"))
  .addHelpText(
    "after",
    "\nExample:\n  $ npx hash-tagging webhook --cert tls.crt --key tls.key --image-prefix registry.example.com/team/hash-tagging",
  )
  .action(action(webhook));

process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  // A closed pipe (| head) is the reader's choice, not a failure.
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every usage error is a bad argument.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT.badInput;
  } else if (error instanceof CliError) {
    console.error(`hash-tagging: ${error.message}`);
    process.exitCode = error.exitCode;
  } else {
    console.error(`hash-tagging: internal error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = EXIT.internal;
  }
}
