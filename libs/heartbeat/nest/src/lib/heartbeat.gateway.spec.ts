import { CloseCode, ProtocolErrorCode } from '@heartbeat/protocol';
import { WebSocket } from 'ws';
import { type TestApp, startTestApp } from '../testing/test-app.js';
import { EventLog } from '../testing/event-log.js';
import { TestClient } from '@heartbeat/testing';
import { HeartbeatMessages } from './core/heartbeat.messages.js';

describe('HeartbeatGateway', () => {
  let server: TestApp;

  beforeEach(async () => {
    server = await startTestApp({ pingInterval: 200, heartbeatInterval: 200, heartbeatTimeout: 1_000, maxPayload: 1_024 });
  });

  afterEach(() => server.close());

  describe('#receive', () => {
    it('answers a client ping at once with a pong that echoes it and carries server_time', async () => {
      const { client } = await TestClient.open(server.url);
      const before = Date.now();
      client.send({ type: 'ping', timestamp: new Date().toISOString(), client_time: 1234, sequence: 7 });
      const pong = await client.next('pong');
      expect(pong).toMatchObject({ client_time: 1234, sequence: 7, ping_count: 1 });
      expect(pong.server_time).toBeGreaterThanOrEqual(before);
      expect(pong.server_time).toBeLessThanOrEqual(Date.now());
      await client.close();
    });
  });

  describe('#receive (invalid frames)', () => {
    it('answers each kind of bad frame with its error while another connection keeps receiving events', async () => {
      const { client: watcher } = await TestClient.open(server.url);
      watcher.send({ type: 'subscribe', topic: 'alerts' });
      await watcher.next('subscribed');
      const { client: bad } = await TestClient.open(server.url);

      const cases: [string | Buffer | Record<string, unknown>, string][] = [
        ['{not json', ProtocolErrorCode.InvalidJson],
        [Buffer.from([1, 2, 3]), ProtocolErrorCode.BinaryFrame],
        [{ type: 'teleport' }, ProtocolErrorCode.UnknownType],
        [{ type: 'subscribe', topic: 42 }, ProtocolErrorCode.InvalidFrame],
      ];
      for (const [frame, code] of cases) {
        bad.send(frame);
        server.service.publish('alerts', { n: code });
        expect(await bad.next('error')).toMatchObject({ code });
      }
      const events = await Promise.all(cases.map((_, i) => watcher.next('event', 2_000, (e) => e.seq === i + 1)));
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);

      const log = new EventLog(server.service.events$);
      bad.send('x'.repeat(2_000));
      expect((await bad.closed).code).toBe(CloseCode.MessageTooBig);
      expect(await log.next('disconnected')).toMatchObject({ code: CloseCode.MessageTooBig, reason: expect.stringMatching(/payload/i) });
      server.service.publish('alerts', { n: 'after' });
      expect(await watcher.next('event', 2_000, (e) => e.seq === 5)).toMatchObject({ data: { n: 'after' } });
      await watcher.close();
    });

    it('closes with 4400 after maxProtocolViolations invalid frames while another connection is unaffected', async () => {
      const strict = await startTestApp({ pingInterval: 200, heartbeatInterval: 200, heartbeatTimeout: 1_000, maxProtocolViolations: 3 });
      try {
        const { client: watcher } = await TestClient.open(strict.url);
        watcher.send({ type: 'subscribe', topic: 'alerts' });
        await watcher.next('subscribed');
        const { client: bad } = await TestClient.open(strict.url);

        bad.send('{not json');
        bad.send({ type: 'teleport' });
        expect(await bad.next('error', 2_000, (e) => e.code === ProtocolErrorCode.UnknownType)).toBeDefined();
        expect(bad.socket.readyState).toBe(WebSocket.OPEN);
        bad.send({ type: 'subscribe', topic: 42 });
        expect(await bad.closed).toEqual({ code: CloseCode.ProtocolViolation, reason: HeartbeatMessages.closeProtocolViolation(3) });
        // Each of the three was answered before the close.
        expect(bad.all('error').map((e) => e.code)).toEqual([ProtocolErrorCode.InvalidJson, ProtocolErrorCode.InvalidFrame]);

        strict.service.publish('alerts', { n: 'after' });
        expect(await watcher.next('event')).toMatchObject({ seq: 1, data: { n: 'after' } });
        watcher.send({ type: 'ping', timestamp: new Date().toISOString(), client_time: Date.now(), sequence: 1 });
        expect(await watcher.next('pong')).toMatchObject({ sequence: 1 });
        expect(watcher.all('error')).toEqual([]);
        await watcher.close();
      } finally {
        await strict.close();
      }
    });

    it('tolerates fewer than maxProtocolViolations invalid frames', async () => {
      const { client } = await TestClient.open(server.url);
      for (let i = 0; i < 4; i++) client.send('{not json');
      for (let i = 0; i < 4; i++) await client.next('error');
      client.send({ type: 'ping', timestamp: new Date().toISOString(), client_time: Date.now(), sequence: 1 });
      expect(await client.next('pong')).toMatchObject({ sequence: 1 });
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
      await client.close();
    });
  });
});
