export { FakeHeartbeatClient } from './fake-heartbeat.client.js';
export type { FakeHeartbeatClientCall } from './fake-heartbeat.client.js';
export { provideHeartbeatTesting } from './heartbeat-testing.providers.js';
