import { CloseCode } from '@heartbeat/protocol';
import { BlackholeProxy, TestClient } from '@heartbeat/testing';
import { EventLog } from '../testing/event-log.js';
import { type TestApp, startTestApp } from '../testing/test-app.js';
import { CLOSE_HANDSHAKE_GRACE_MS } from './core/heartbeat-connection.js';

describe('ConnectionRegistry', () => {
  let server: TestApp;
  let proxy: BlackholeProxy;

  beforeEach(async () => {
    // Heartbeat rules far away, so that only the close handshake's grace period can end the connection.
    server = await startTestApp({ pingInterval: 60_000, heartbeatInterval: 60_000, heartbeatTimeout: 120_000 });
    proxy = await BlackholeProxy.start(server.port);
  });

  afterEach(async () => {
    await proxy.close();
    await server.close();
  });

  describe('#disconnect', () => {
    it('destroys the socket of a dead peer that never answers the close frame, after the grace period', async () => {
      const log = new EventLog(server.service.events$);
      const { client } = await TestClient.open(`ws://127.0.0.1:${proxy.port}/ws`);
      const [{ id }] = server.service.getLocalStats().connection_details;
      proxy.blackhole();
      const kickedAt = Date.now();
      expect(await server.service.disconnect(id)).toBe(true);

      const disconnected = await log.next('disconnected', id, CLOSE_HANDSHAKE_GRACE_MS + 2_000);
      const waited = Date.now() - kickedAt;
      expect(disconnected).toMatchObject({ code: CloseCode.Kicked });
      expect(waited).toBeGreaterThanOrEqual(CLOSE_HANDSHAKE_GRACE_MS - 50);
      expect(waited).toBeLessThan(CLOSE_HANDSHAKE_GRACE_MS + 1_000);
      expect(server.service.connectionCount).toBe(0);
      client.socket.terminate();
    }, 10_000);

    it('closes a live peer at once, without waiting for the grace period', async () => {
      const log = new EventLog(server.service.events$);
      const { client } = await TestClient.open(`ws://127.0.0.1:${proxy.port}/ws`);
      const [{ id }] = server.service.getLocalStats().connection_details;
      const kickedAt = Date.now();
      server.service.disconnect(id);
      expect((await client.closed).code).toBe(CloseCode.Kicked);
      await log.next('disconnected', id);
      expect(Date.now() - kickedAt).toBeLessThan(1_000);
    });
  });
});
