export { fakeBroadcastHub } from './fake-broadcast-channel.js';
export { FakeWebSocket, fakeWebSocketFactory } from './fake-web-socket.js';
export { withTestHooks } from './with-test-hooks.js';
export type { ClientTestHooks } from '../lib/test-hooks.js';
export { initialClientState } from '../lib/client-state.js';
