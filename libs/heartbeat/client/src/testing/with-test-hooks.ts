import type { HeartbeatClientOptions } from '../lib/client-options.js';
import { TEST_HOOKS, type ClientTestHooks, type OptionsWithTestHooks } from '../lib/test-hooks.js';

/**
 * `options` with hooks that only tests need (a fixed jitter source), kept out of the public
 * options (docs/api.md#heartbeatclienttesting): `new HeartbeatClient(withTestHooks(options, { random: () => 0.5 }))`.
 */
export function withTestHooks(options: HeartbeatClientOptions, hooks: ClientTestHooks): HeartbeatClientOptions {
  const withHooks: OptionsWithTestHooks = { ...options, [TEST_HOOKS]: hooks };
  return withHooks;
}
