import type { EnvironmentProviders } from '@angular/core';
import type { HeartbeatClientApi } from '@heartbeat/client';
import { provideHeartbeat, withClientFactory, type HeartbeatFeature } from '@heartbeat/angular';
import { FakeHeartbeatClient } from './fake-heartbeat.client.js';

/**
 * `provideHeartbeat()` for tests: the store wraps `client` (a `FakeHeartbeatClient` unless given),
 * so nothing opens a socket. Other features (status texts, connect on start) apply as usual.
 */
export function provideHeartbeatTesting(
  client: HeartbeatClientApi = new FakeHeartbeatClient(),
  ...features: HeartbeatFeature[]
): EnvironmentProviders {
  return provideHeartbeat({}, withClientFactory(() => client), ...features);
}
