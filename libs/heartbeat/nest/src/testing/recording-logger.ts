import type { CoreLogger } from '../lib/core/logger.port.js';

export type LogLevel = 'log' | 'warn' | 'error' | 'debug';

/** A CoreLogger that keeps every line, for specs that check what the server told its operator. */
export class RecordingLogger implements CoreLogger {
  readonly lines: { level: LogLevel; message: string }[] = [];

  log(message: string): void {
    this.lines.push({ level: 'log', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }

  /** The messages logged at one level. */
  at(level: LogLevel): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
}
