/** Runs a script's body and turns a thrown error into one `error:` line and exit code 1, without a stack trace. */
export function runMain(body: () => Promise<void>): void {
  body().catch((error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
