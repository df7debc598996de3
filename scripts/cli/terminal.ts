// Terminal niceties that must stay out of pipes: colour only when stdout is a terminal, a progress
// bar only when stderr is one.
import { SingleBar } from "cli-progress";
import picocolors from "picocolors";

export const colours = picocolors.createColors(Boolean(process.stdout.isTTY) && !("NO_COLOR" in process.env));

export const count = (n: number): string => n.toLocaleString("en-US");
export const percent = (share: number): string => `${(100 * share).toFixed(2)}%`;

interface Progress {
  update(done: number): void;
  stop(): void;
}

/** A progress bar on stderr up to `total`, or nothing when stderr is not a terminal or the total is unknown. */
export function progress(label: string, total: number | undefined): Progress {
  if (!process.stderr.isTTY || total === undefined || total === 0) return { update() {}, stop() {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% | ETA {eta}s`,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(total, 0);
  return { update: (done) => bar.update(done), stop: () => bar.stop() };
}
