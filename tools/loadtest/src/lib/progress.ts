/**
 * A progress line on stderr. On a terminal it redraws one line in place; in a log (CI) it prints a
 * line now and then instead, so the log shows progress without thousands of redraws.
 */

/** `[#######.............]  35 %` for a share from 0 to 1. */
export function progressBar(share: number, width = 24): string {
  const clamped = Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : 0;
  const filled = Math.round(clamped * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(clamped * 100)).padStart(3)} %`;
}

interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export class ProgressLine {
  private lastPrintAt = -Infinity;
  private shown = '';

  constructor(
    private readonly stream: ProgressStream = process.stderr,
    /** How often a log (not a terminal) gets a line. */
    private readonly logEveryMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  update(text: string): void {
    if (this.stream.isTTY) {
      this.stream.write(`\r${text.padEnd(this.shown.length)}`);
      this.shown = text;
      return;
    }
    if (this.now() - this.lastPrintAt < this.logEveryMs) return;
    this.lastPrintAt = this.now();
    this.stream.write(`${text}\n`);
  }

  /** Ends the line with its final text (always printed). */
  done(text: string): void {
    if (this.stream.isTTY) this.stream.write(`\r${text.padEnd(this.shown.length)}\n`);
    else this.stream.write(`${text}\n`);
    this.shown = '';
    this.lastPrintAt = -Infinity;
  }
}
