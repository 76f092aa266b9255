/**
 * Benchmark peer (c): a Socket.IO 4 server with its own heartbeat (engine.io pings every
 * pingInterval, closes after pingTimeout without a pong), only pingInterval set to the benchmark's,
 * if it sets one. Any origin may connect: the hidden-tab measurement's page comes from another
 * origin and socket.io-client starts on HTTP long-polling, which needs CORS.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { benchServerEnv, serveBenchServer } from './bench-server-api.js';

const { port, pingInterval } = benchServerEnv();
let heartbeats = 0;

const httpServer = createServer();
const io = new Server(httpServer, { ...(pingInterval === undefined ? {} : { pingInterval }), cors: { origin: true } });
// engine.io emits `heartbeat` on each pong it receives.
io.engine.on('connection', (socket: { on(event: 'heartbeat', listener: () => void): void }) => socket.on('heartbeat', () => heartbeats++));

httpServer.listen(port, '127.0.0.1');
await once(httpServer, 'listening');
serveBenchServer(
  {
    connections: () => io.engine.clientsCount,
    heartbeats: () => heartbeats,
    publish: async ({ topic, payload, count }) => {
      for (let seq = 1; seq <= count; seq++) io.emit(topic, { seq, ...payload });
    },
  },
  port,
);
