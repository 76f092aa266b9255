import type { ClientClock } from './client-clock.js';
import type { HeartbeatClientOptions } from './client-options.js';

/**
 * Where `withTestHooks()` of `@heartbeat/client/testing` puts its hooks on an options object: a
 * symbol, so that the hooks stay out of the public options (docs/api.md#heartbeatclienttesting).
 */
export const TEST_HOOKS: unique symbol = Symbol('@heartbeat/client test hooks');

/** What a test may replace inside the client. */
export interface ClientTestHooks {
  /** Source of randomness for the backoff jitter, instead of Math.random. */
  readonly random?: () => number;
  /** The reconnect loop's clock and timers, instead of the system's. */
  readonly clock?: ClientClock;
}

export type OptionsWithTestHooks = HeartbeatClientOptions & { readonly [TEST_HOOKS]?: ClientTestHooks };
