import { killAllChildren } from '@heartbeat/testing/child-channel';
import { CliOptionsError } from './cli-options.js';

export interface Cli<T extends { help: boolean }> {
  parse(argv: readonly string[]): T;
  help: string;
  run(options: T): Promise<number>;
  /** Kills what the run started outside child-channel (e.g. a monitor server process). */
  onAbort?(): void;
}

/**
 * Runs a command-line tool: a bad command line exits 2 with its sentence, --help prints the help,
 * and an interrupted or crashed run takes its child processes with it. Exits explicitly: a run that
 * failed half-way may leave a socket or a timer behind.
 */
export function runCli<T extends { help: boolean }>(cli: Cli<T>): void {
  const abort = () => {
    killAllChildren();
    cli.onAbort?.();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      abort();
      process.exit(130);
    });
  }
  const main = async (): Promise<number> => {
    let options: T;
    try {
      options = cli.parse(process.argv.slice(2));
    } catch (error) {
      if (!(error instanceof CliOptionsError)) throw error;
      console.error(error.message);
      return 2;
    }
    if (options.help) {
      console.log(cli.help);
      return 0;
    }
    return cli.run(options);
  };
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      abort();
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
