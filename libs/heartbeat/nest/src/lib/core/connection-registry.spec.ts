import { describe, expect, it } from '@jest/globals';
import { CloseCode } from '@heartbeat/protocol';
import { FakePeer } from '../../testing/fake-peer.js';
import { TestCore } from '../../testing/test-core.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import { CLOSE_HANDSHAKE_GRACE_MS } from './heartbeat-connection.js';

const MAX_BUFFERED = 10_000;
const core = (options = {}) => new TestCore({ maxBufferedBytes: MAX_BUFFERED, pingInterval: 10_000, heartbeatTimeout: 30_000, ...options }).start();

describe('ConnectionRegistry', () => {
  describe('#open', () => {
    it('gives the transport its connection and tells connected', () => {
      const server = core();
      const peer = new FakePeer({ ip: '10.1.2.3', port: 5555 });
      const { connection } = server.accept(peer);
      expect(peer.connection).toBe(connection);
      expect(server.registry.get(peer)).toBe(connection);
      expect(server.registry.getById(connection.id)).toBe(connection);
      expect(server.events).toEqual([{ type: 'connected', connectionId: connection.id, remoteAddress: '10.1.2.3:5555', at: server.clock.now() }]);
    });
  });

  describe('#remove', () => {
    it('releases a closed connection in the documented order, then tells disconnected', async () => {
      const server = core({ maxConnectionsPerAddress: 10 });
      const { connection, peer } = await server.open();
      server.releases.length = 0;
      server.closeTransport(connection, 1001, 'going away');
      expect(server.releases).toEqual(['pings', 'sessions', 'addresses', 'topics']);
      expect(server.events.at(-1)).toEqual({
        type: 'disconnected',
        connectionId: connection.id,
        remoteAddress: '127.0.0.1:40000',
        code: 1001,
        reason: 'going away',
        at: server.clock.now(),
      });
      expect(peer.connection).toBeUndefined();
      expect(server.registry.size).toBe(0);
      expect(connection.pingSlot).toBe(-1);
      expect(server.addresses.countOf('127.0.0.1')).toBe(0);
      expect(server.sessions.retainedCount).toBe(1);
    });

    it("reports the server's close decision rather than what the transport saw", async () => {
      const server = core();
      const { connection } = await server.open();
      connection.terminate(CloseCode.HeartbeatTimeout, 'dead');
      server.closeTransport(connection, 1006, '');
      expect(server.eventsOf('disconnected')).toEqual([expect.objectContaining({ code: CloseCode.HeartbeatTimeout, reason: 'dead' })]);
    });

    it('releases its timers: nothing of a closed connection fires later', async () => {
      const server = new TestCore({ verifyToken: () => ({ expiresAt: Date.UTC(2026, 0, 1, 1) }) });
      const { connection } = await server.open({ token: 't' });
      connection.close(CloseCode.Kicked, 'bye');
      server.closeTransport(connection, CloseCode.Kicked, 'bye');
      expect(server.clock.pendingTimers).toBe(0);
    });

    it('is safe twice: released and told once', async () => {
      const server = core();
      const { connection } = await server.open();
      server.closeTransport(connection);
      server.releases.length = 0;
      server.closeTransport(connection);
      expect(server.releases).toEqual([]);
      expect(server.eventsOf('disconnected')).toHaveLength(1);
    });
  });

  describe('slow consumers', () => {
    it('drops frames once the send buffer passes maxBufferedBytes and closes with 4009 once, counted and told', async () => {
      const server = core();
      const { connection, peer } = await server.open();
      peer.bufferedAmount = MAX_BUFFERED + 1;
      expect(connection.send({ type: 'authenticated' })).toBe(false);
      expect(connection.send({ type: 'authenticated' })).toBe(false);
      expect(peer.closeFrame).toEqual({ code: CloseCode.SlowConsumer, reason: HeartbeatMessages.closeSlowConsumer(MAX_BUFFERED) });
      expect(server.counters.slowConsumerDisconnections).toBe(1);
      expect(server.eventsOf('slow_consumer')).toEqual([
        { type: 'slow_consumer', connectionId: connection.id, remoteAddress: connection.remoteAddress, bufferedBytes: MAX_BUFFERED + 1, at: server.clock.now() },
      ]);
      expect(server.logger.at('warn')).toEqual([HeartbeatMessages.logSlowConsumer(connection.id, MAX_BUFFERED + 1, MAX_BUFFERED)]);
    });

    it('destroys a slow consumer that does not read its close frame either, after the close grace', async () => {
      const server = core();
      const { connection, peer } = await server.open();
      peer.bufferedAmount = MAX_BUFFERED + 1;
      connection.send({ type: 'authenticated' });
      server.clock.advance(CLOSE_HANDSHAKE_GRACE_MS);
      expect(peer.terminated).toBe(true);
      server.closeTransport(connection);
      expect(server.eventsOf('disconnected')).toEqual([expect.objectContaining({ code: CloseCode.SlowConsumer })]);
    });

    it('does not call a connection the server already closes a slow consumer', async () => {
      const server = core();
      const { connection, peer } = await server.open();
      connection.terminate(CloseCode.HeartbeatTimeout, 'dead');
      peer.bufferedAmount = MAX_BUFFERED + 1;
      connection.send({ type: 'authenticated' });
      expect(server.counters.slowConsumerDisconnections).toBe(0);
    });
  });

  describe('#disconnect', () => {
    it('closes the connection with that id, and answers false for an unknown one', async () => {
      const server = core();
      const { connection, peer } = await server.open();
      expect(server.registry.disconnect(connection.id, CloseCode.Kicked, 'bye')).toBe(true);
      expect(peer.closeFrame).toEqual({ code: CloseCode.Kicked, reason: 'bye' });
      expect(server.registry.disconnect('nobody', CloseCode.Kicked, 'bye')).toBe(false);
    });

    it('throws for a code a close frame cannot carry, leaving the connection open', async () => {
      const server = core();
      const { connection } = await server.open();
      expect(() => server.registry.disconnect(connection.id, 1006, 'x')).toThrow(HeartbeatMessages.invalidCloseCode(1006));
      expect(connection.isOpen).toBe(true);
    });
  });

  describe('#whenEmpty', () => {
    it('resolves every caller once the last connection is gone, and destroys what is left at the first deadline', async () => {
      const server = core();
      const { connection } = await server.open();
      const settled: string[] = [];
      void server.registry.whenEmpty(1_000).then(() => settled.push('first'));
      void server.registry.whenEmpty(5_000).then(() => settled.push('second'));
      server.clock.advance(999);
      await Promise.resolve();
      expect(settled).toEqual([]);
      server.clock.advance(1);
      expect(connection.phase).toMatchObject({ phase: 'closing', code: CloseCode.GoingAway });
      server.closeTransport(connection);
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toEqual(['first', 'second']);
      await expect(server.registry.whenEmpty(1_000)).resolves.toBeUndefined();
    });
  });

  describe('#terminateAll', () => {
    it('destroys every connection with 1001', async () => {
      const server = core();
      const opened = await Promise.all([server.open(), server.open()]);
      server.registry.terminateAll();
      for (const { peer, connection } of opened) {
        expect(peer.terminated).toBe(true);
        expect(connection.phase).toMatchObject({ code: CloseCode.GoingAway, reason: HeartbeatMessages.closeShutdown() });
      }
    });
  });
});
