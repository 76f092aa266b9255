/**
 * The kernel's TCP counters (Linux /proc/net/netstat). ListenOverflows counts connections dropped
 * because a listening socket's accept queue was full: the server did not accept them fast enough,
 * and the clients wait for SYN retransmits (1 s, 3 s, 7 s…) — what a reconnect storm runs into.
 */
import { readFileSync } from 'node:fs';

/** `TcpExt: …` name and value lines of /proc/net/netstat as one record per prefix, e.g. `TcpExt.ListenOverflows`. */
export function parseNetstat(text: string): Record<string, number> {
  const counters: Record<string, number> = {};
  const lines = text.trim().split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = (lines[i] as string).trim().split(/\s+/);
    const values = (lines[i + 1] as string).trim().split(/\s+/);
    const prefix = (names[0] as string).replace(/:$/, '');
    names.slice(1).forEach((name, k) => {
      counters[`${prefix}.${name}`] = Number(values[k + 1]);
    });
  }
  return counters;
}

/** Accept-queue overflows since boot, machine-wide; null where the counters cannot be read (not Linux). */
export function listenOverflows(): number | null {
  try {
    const value = parseNetstat(readFileSync('/proc/net/netstat', 'utf8'))['TcpExt.ListenOverflows'];
    return value === undefined || Number.isNaN(value) ? null : value;
  } catch {
    return null;
  }
}
