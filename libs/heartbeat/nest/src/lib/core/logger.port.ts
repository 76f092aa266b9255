/**
 * What the server core logs through. The core imports nothing of Nest (docs/server.md#architecture):
 * the module passes Nest's `Logger`, which has these methods, and unit tests pass a recorder.
 */
export interface CoreLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, stack?: string): void;
  debug(message: string): void;
}
