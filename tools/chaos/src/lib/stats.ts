/** Small numeric helpers for the scenarios' figures. */
import { cpus } from 'node:os';

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function max(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => (b > a ? b : a), -Infinity);
}

export function min(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => (b < a ? b : a), Infinity);
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Counts of `values` in `buckets` equal slices of [from, to); values outside are clamped into the edge slices. */
export function histogram(values: readonly number[], from: number, to: number, buckets: number): number[] {
  const counts = new Array<number>(buckets).fill(0);
  const width = (to - from) / buckets;
  for (const value of values) {
    const index = Math.min(buckets - 1, Math.max(0, Math.floor((value - from) / width)));
    counts[index] = (counts[index] as number) + 1;
  }
  return counts;
}

/** Largest number of `times` in any window of `windowMs` aligned on `origin`. */
export function peakPerWindow(times: readonly number[], windowMs: number, origin: number): { peak: number; at: number } {
  const counts = new Map<number, number>();
  for (const time of times) {
    const slot = Math.floor((time - origin) / windowMs);
    counts.set(slot, (counts.get(slot) ?? 0) + 1);
  }
  let peak = 0;
  let at = 0;
  for (const [slot, count] of counts) {
    if (count > peak) {
      peak = count;
      at = slot * windowMs;
    }
  }
  return { peak, at };
}

/** Largest number of `times` in any sliding window of `windowMs` (not aligned). */
export function peakSliding(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** Fisher–Yates shuffle, in place. */
export function shuffle<T>(items: T[], random: () => number = Math.random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** The machine's CPU times so far, per core: two of them give the busy share between them (`busyBetween`). */
export function cpuSnapshot(): ReturnType<typeof cpus> {
  return cpus();
}

/** Share of the machine's CPU time (all cores) that was busy between two snapshots. */
export function busyBetween(before: ReturnType<typeof cpus>, after: ReturnType<typeof cpus>): number {
  const total = (times: { user: number; nice: number; sys: number; idle: number; irq: number }) =>
    times.user + times.nice + times.sys + times.idle + times.irq;
  let busy = 0;
  let all = 0;
  after.forEach((cpu, i) => {
    const previous = before[i];
    if (!previous) return;
    const span = total(cpu.times) - total(previous.times);
    all += span;
    busy += span - (cpu.times.idle - previous.times.idle);
  });
  return all > 0 ? busy / all : 0;
}

/** Share of the machine's CPU time (all cores) that was busy over the next `sampleMs`. */
export async function cpuBusy(sampleMs = 1_000): Promise<number> {
  const before = cpuSnapshot();
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  return busyBetween(before, cpuSnapshot());
}
