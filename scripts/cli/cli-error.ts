// Failures the user can act on: the CLI prints the message as one line and exits with the code.

/** Exit codes of every command, documented in `--help` and scripts/cli/README.md. */
export const EXIT = {
  /** A configuration the filter refuses. */
  refused: 1,
  /** A bad file, id or argument. */
  badInput: 2,
  /** `diff --expect-only-into`: someone moves elsewhere than into the lane. */
  unexpectedMove: 3,
  /** A bug in the CLI itself (still one line, no stack trace). */
  internal: 70,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.badInput,
  ) {
    super(message);
  }
}
