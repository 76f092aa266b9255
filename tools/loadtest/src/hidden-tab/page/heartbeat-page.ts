/** The Heartbeat tab: one `@heartbeat/client` with its default options, subscribed to one topic. */
import { HeartbeatClient } from '@heartbeat/client';
import { pageSettings } from './page-stats.js';

const { url, token, topic } = pageSettings(location.search);
const client = new HeartbeatClient({ url, token });
let connects = 0;
let drops = 0;
let events = 0;
client.on('connection_established', () => connects++);
client.on('connection_lost', () => drops++);
client.subscribe(topic).subscribe(() => events++);
// A failed first attempt is retried by the client itself; the measurement reads the counts.
client.connect().catch(() => undefined);

window.hiddenTabStats = () => {
  const state = client.state;
  return {
    connected: state.status === 'connected',
    connects,
    drops,
    events,
    clientPings: state.pingCount,
    clientPongs: state.pongCount,
    serverPings: state.serverPingCount,
    lastPingAt: state.lastPingAt,
    lastPongAt: state.lastPongAt,
  };
};
