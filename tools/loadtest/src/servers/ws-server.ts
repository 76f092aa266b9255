/**
 * Benchmark peer (b): a bare `ws` server with the heartbeat of the `ws` README ("How to detect and
 * close broken connections?"): every interval, terminate the sockets that did not answer the last
 * ping and ping the others. Pongs are counted for the CPU-per-heartbeat figure.
 */
import { once } from 'node:events';
import { type WebSocket, WebSocketServer } from 'ws';
import { benchServerEnv, serveBenchServer } from './bench-server-api.js';

interface AliveSocket extends WebSocket {
  isAlive?: boolean;
}

const { port, pingInterval } = benchServerEnv();
/** Unless the benchmark sets one: the interval of the README's recipe. */
const RECIPE_PING_INTERVAL_MS = 30_000;
let heartbeats = 0;
let socketErrors = 0;

function heartbeat(this: AliveSocket): void {
  this.isAlive = true;
  heartbeats++;
}

const wss = new WebSocketServer({ port, host: '127.0.0.1' });

wss.on('connection', function connection(ws: AliveSocket) {
  ws.isAlive = true;
  // The README logs these; thousands of clients closing at the end of a run would flood the output.
  ws.on('error', () => socketErrors++);
  ws.on('pong', heartbeat);
});

const interval = setInterval(function ping() {
  wss.clients.forEach(function each(ws: AliveSocket) {
    if (ws.isAlive === false) return ws.terminate();

    ws.isAlive = false;
    ws.ping();
  });
}, pingInterval ?? RECIPE_PING_INTERVAL_MS);

wss.on('close', function close() {
  clearInterval(interval);
});

await once(wss, 'listening');
serveBenchServer(
  {
    connections: () => wss.clients.size,
    heartbeats: () => heartbeats,
    publish: async ({ topic, payload, count }) => {
      for (let seq = 1; seq <= count; seq++) {
        // Encoded once per event, as Heartbeat and Socket.IO do for a broadcast.
        const frame = JSON.stringify({ type: 'event', topic, seq, data: payload });
        for (const ws of wss.clients) ws.send(frame);
      }
    },
  },
  port,
);
process.on('exit', () => {
  if (socketErrors > 0) console.log(`ws server: ${socketErrors} socket errors`);
});
