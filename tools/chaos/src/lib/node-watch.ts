import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sleep } from './server.js';

/** A node as the watch sees it: its HTTP base URL and its process. */
export interface WatchedNode {
  readonly name: string;
  readonly url: string;
  readonly pid: number | null;
}

export interface HealthSample {
  at: number;
  /** ms until the answer was read; null when it never came (refused, or nothing within the timeout). */
  latencyMs: number | null;
  /** `redis.status` of the answer, when there was one. */
  redis: 'up' | 'down' | null;
}

export interface NodeWatchReport {
  name: string;
  health: HealthSample[];
  /** Share of one core the process used in each sampling interval (1.0 = a core pinned). */
  cpu: { at: number; share: number }[];
}

const HEALTH_TIMEOUT_MS = 5_000;
const HEALTH_EVERY_MS = 200;
const CPU_EVERY_MS = 1_000;

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime of a process, in clock ticks; null once it is gone. */
function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/**
 * Watches nodes while a scenario runs: asks each one's `/health` every 200 ms (one request at a
 * time per node, so a node that stops answering shows as one long wait, not a pile of them) and
 * samples its CPU from /proc every second.
 */
export class NodeWatch {
  private running = true;
  private readonly reports: NodeWatchReport[];
  private readonly loops: Promise<void>[];

  private constructor(nodes: readonly WatchedNode[]) {
    this.reports = nodes.map((node) => ({ name: node.name, health: [], cpu: [] }));
    this.loops = nodes.flatMap((node, i) => [this.pollHealth(node, this.reports[i] as NodeWatchReport), this.sampleCpu(node, this.reports[i] as NodeWatchReport)]);
  }

  static start(nodes: readonly WatchedNode[]): NodeWatch {
    return new NodeWatch(nodes);
  }

  async stop(): Promise<NodeWatchReport[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.reports;
  }

  private async pollHealth(node: WatchedNode, report: NodeWatchReport): Promise<void> {
    while (this.running) {
      const at = Date.now();
      let latencyMs: number | null = null;
      let redis: HealthSample['redis'] = null;
      try {
        const response = await fetch(`${node.url}/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
        const body = (await response.json()) as { redis?: { status: 'up' | 'down' } };
        latencyMs = Date.now() - at;
        redis = body.redis?.status ?? null;
      } catch {
        // No answer: recorded as such (latencyMs null).
      }
      report.health.push({ at, latencyMs, redis });
      await sleep(Math.max(0, at + HEALTH_EVERY_MS - Date.now()));
    }
  }

  private async sampleCpu(node: WatchedNode, report: NodeWatchReport): Promise<void> {
    if (node.pid === null) return;
    const ticksPerSecond = clockTicks();
    let previous = { at: Date.now(), ticks: cpuTicks(node.pid) };
    while (this.running && previous.ticks !== null) {
      await sleep(CPU_EVERY_MS);
      const now = { at: Date.now(), ticks: cpuTicks(node.pid) };
      if (now.ticks === null) return;
      report.cpu.push({ at: now.at, share: (now.ticks - previous.ticks) / ticksPerSecond / ((now.at - previous.at) / 1000) });
      previous = now;
    }
  }
}

/** The worst `/health` latency of a report (Infinity when one request got no answer). */
export function worstHealthLatency(report: NodeWatchReport): number {
  return report.health.reduce((worst, sample) => Math.max(worst, sample.latencyMs ?? Infinity), 0);
}

/** The highest CPU share of a report, over single samples and over `window` consecutive ones. */
export function peakCpu(report: NodeWatchReport, window: number): { single: number; sustained: number } {
  const shares = report.cpu.map((sample) => sample.share);
  let sustained = 0;
  for (let i = 0; i + window <= shares.length; i++) {
    const slice = shares.slice(i, i + window);
    sustained = Math.max(sustained, slice.reduce((a, b) => a + b, 0) / window);
  }
  return { single: shares.reduce((a, b) => Math.max(a, b), 0), sustained };
}
