/**
 * Counting a server's instructions with valgrind's callgrind: the server runs under it with
 * counting off, and callgrind_control turns counting on, zeroes the counts and dumps them while the
 * server runs (valgrind's manual, "Callgrind: controlling a running program"). Counts are of
 * user-space instructions, every thread of the process; the kernel's work is not in them.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** valgrind and callgrind_control as Debian's valgrind package installs them. */
export const VALGRIND = '/usr/bin/valgrind';
const CALLGRIND_CONTROL = '/usr/bin/callgrind_control';

/** valgrind's own options for a process whose counting callgrind_control turns on later; its dumps go to `directory`. */
export function callgrindArgs(directory: string, name: string): string[] {
  return ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(directory, `${name}.%p`)}`, '-q'];
}

/** Why callgrind cannot be used here, or null when it can. */
export function callgrindProblem(): string | null {
  if (!existsSync(VALGRIND) || !existsSync(CALLGRIND_CONTROL)) return 'valgrind is not installed: run "apt-get install -y valgrind" (Debian) first.';
  return null;
}

/** The instructions a dump counted: its `summary:` or `totals:` line (callgrind's format). */
export function dumpTotal(dump: string): number {
  const match = /^(?:summary|totals): (\d+)/m.exec(dump);
  if (!match) throw new Error('The callgrind dump has no summary or totals line: was it written completely?');
  return Number(match[1]);
}

/**
 * Controls one process running under callgrind. vgdb, which callgrind_control uses, finds the
 * process by a file named after its HOST and USER variables: `env` must be the process's own.
 */
export class CallgrindControl {
  constructor(
    private readonly pid: number,
    private readonly directory: string,
    private readonly name: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async countingOn(): Promise<void> {
    await this.control('--instr=on');
  }

  async zero(): Promise<void> {
    await this.control('--zero');
  }

  /** Dumps the counts since the last zero and resolves with their total once the dump is written. */
  async dump(timeoutMs = 120_000): Promise<number> {
    const before = new Set(this.dumps());
    await this.control('--dump');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const written = this.dumps().filter((file) => !before.has(file));
      // The file appears before it is complete: its totals line is written last.
      for (const file of written) {
        const text = readFileSync(join(this.directory, file), 'utf8');
        if (/^(?:summary|totals): /m.test(text)) return dumpTotal(text);
      }
      if (Date.now() > deadline) throw new Error(`callgrind wrote no dump of process ${this.pid} within ${timeoutMs / 1000} s.`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private dumps(): string[] {
    return readdirSync(this.directory).filter((file) => file.startsWith(`${this.name}.${this.pid}.`));
  }

  private async control(option: string): Promise<void> {
    await run(CALLGRIND_CONTROL, [option, String(this.pid)], { env: this.env, timeout: 60_000 });
  }
}
