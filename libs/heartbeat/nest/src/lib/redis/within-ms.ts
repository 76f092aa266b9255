/**
 * `promise`'s value, or `'timeout'` when it has not settled within `ms`: how a node waits for Redis
 * without waiting on a Redis that went silent. The timer is cleared either way; a rejection of
 * `promise` within `ms` rejects this too.
 */
export async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
