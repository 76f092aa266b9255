import { ChildChannel } from '@heartbeat/testing/child-channel';
import { fileURLToPath } from 'node:url';
import type { ChaosWorkerApi } from './ipc.js';

const WORKER = fileURLToPath(new URL('../worker.js', import.meta.url));

/** One worker process (worker.ts) and the request/reply channel to it. */
export type WorkerHandle = ChildChannel<ChaosWorkerApi>;

/** Starts `count` workers named `<prefix>-1`, `<prefix>-2`, ... and waits until each is ready. */
export function spawnWorkers(prefix: string, count: number): Promise<WorkerHandle[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const { channel } = await ChildChannel.fork<ChaosWorkerApi, { pid: number }>(WORKER, {
        name: `worker ${prefix}-${i + 1}`,
        execArgv: ['--max-old-space-size=1024'],
        readyTimeoutMs: 10_000,
      });
      return channel;
    }),
  );
}

/** Asks each worker to close its clients, then ends it (killed if it does not exit within 3 s). */
export async function stopAll(workers: readonly WorkerHandle[]): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      // Ended below whether or not it answered.
      await worker.request('stop', {}, 5_000).catch(() => undefined);
      await worker.close(3_000);
    }),
  );
}
