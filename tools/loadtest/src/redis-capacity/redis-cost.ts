import type { TextTable } from '../lib/text-table.js';

/** Redis's own counters at one moment (INFO cpu and memory). */
export interface RedisReading {
  at: number;
  /** used_cpu_user + used_cpu_sys. */
  cpuSeconds: number;
  usedMemory: number;
}

/** What one phase cost Redis. */
export interface RedisCost {
  name: string;
  operations: number;
  elapsedMs: number;
  /** CPU seconds Redis spent in the phase beyond what the idle nodes cost it in the same time. */
  cpuSeconds: number;
  /** µs of Redis CPU per operation. */
  cpuMicrosPerOperation: number;
  /** Operations one Redis core could take a second at 100 %. */
  operationsPerCore: number;
  /** Growth of used_memory per operation (bytes; can be negative when Redis freed memory). */
  bytesPerOperation: number;
}

/** The cost of `operations` between two readings, less `idleCpuPerMs` (the idle CPU rate) for the time between them. */
export function costOf(name: string, operations: number, before: RedisReading, after: RedisReading, idleCpuPerMs = 0): RedisCost {
  const elapsedMs = after.at - before.at;
  const cpuSeconds = Math.max(0, after.cpuSeconds - before.cpuSeconds - idleCpuPerMs * elapsedMs);
  const cpuMicrosPerOperation = operations > 0 ? (cpuSeconds * 1e6) / operations : 0;
  return {
    name,
    operations,
    elapsedMs,
    cpuSeconds,
    cpuMicrosPerOperation,
    operationsPerCore: cpuMicrosPerOperation > 0 ? Math.round(1e6 / cpuMicrosPerOperation) : Infinity,
    bytesPerOperation: operations > 0 ? (after.usedMemory - before.usedMemory) / operations : 0,
  };
}

/** One row per phase; the idle phase (one "operation": its whole window) shows Redis CPU per second instead. */
export function redisCostTable(costs: readonly RedisCost[]): TextTable {
  const number = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits });
  return {
    columns: [
      { header: 'operation' },
      { header: 'count', align: 'right' },
      { header: 'Redis CPU per op (µs)', align: 'right' },
      { header: 'per core (ops/s)', align: 'right' },
      { header: 'memory per op (bytes)', align: 'right' },
    ],
    rows: costs.map((cost) =>
      cost.name === 'idle'
        ? [`idle (two nodes, no client): Redis CPU ms a second`, '—', number((cost.cpuSeconds * 1e6) / cost.elapsedMs, 1), '—', '—']
        : [cost.name, number(cost.operations), number(cost.cpuMicrosPerOperation, 1), Number.isFinite(cost.operationsPerCore) ? number(cost.operationsPerCore) : '—', number(cost.bytesPerOperation)],
    ),
  };
}
