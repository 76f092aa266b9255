import type { LoggerService } from '@nestjs/common';

/**
 * Warnings about what clients do (refused upgrades) are rate-limited per cause, so that a
 * misconfigured client or a scanner cannot flood the log: the first line of a cause is written at
 * once, later ones within `intervalMs` of it are only counted, and the next line written says how
 * many were left out. Causes are a fixed set of names, so the map stays small.
 */
export class RateLimitedLog {
  private readonly causes = new Map<string, { loggedAt: number; suppressed: number }>();

  constructor(
    private readonly logger: Pick<LoggerService, 'warn'>,
    readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  /** Logs `line(suppressed)` unless `cause` was logged within the interval; true if it did. */
  warn(cause: string, line: (suppressed: number) => string): boolean {
    const now = this.now();
    const last = this.causes.get(cause);
    if (last && now - last.loggedAt < this.intervalMs) {
      last.suppressed += 1;
      return false;
    }
    this.logger.warn(line(last?.suppressed ?? 0));
    this.causes.set(cause, { loggedAt: now, suppressed: 0 });
    return true;
  }
}
