export { fakeBroadcastHub } from './fake-broadcast-channel.js';
export { FakeWebSocket, fakeWebSocketFactory } from './fake-web-socket.js';
export { manualClock } from './manual-clock.js';
export type { ManualClock } from './manual-clock.js';
export { withTestHooks } from './with-test-hooks.js';
export type { ClientTestHooks } from '../lib/test-hooks.js';
export type { ClientClock } from '../lib/client-clock.js';
export { initialClientState } from '../lib/client-state.js';
