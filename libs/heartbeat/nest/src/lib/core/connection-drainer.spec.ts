import { describe, expect, it } from '@jest/globals';
import { CloseCode } from '@heartbeat/protocol';
import { settle, TestCore } from '../../testing/test-core.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import { CLOSE_HANDSHAKE_GRACE_MS } from './heartbeat-connection.js';
import { STRAGGLER_MARGIN_MS } from './connection-drainer.js';

const WINDOW = 1_000;
const core = () => new TestCore({ drainWindow: WINDOW, pingInterval: 10_000, heartbeatTimeout: 30_000 }).start();

describe('ConnectionDrainer', () => {
  describe('#drain', () => {
    it('closes connection i of n at i × drainWindow / n with 1012, handshake sockets first, telling each', async () => {
      const server = core();
      const open = await Promise.all(Array.from({ length: 3 }, () => server.open()));
      const handshaking = server.accept();
      const done = server.drainer.drain();
      expect(server.drainer.state).toBe('draining');

      const closedAt = new Map<string, number>();
      const watch = [handshaking, ...open];
      const start = server.clock.monotonic();
      for (let t = 0; t <= WINDOW; t += 10) {
        for (const { connection, peer } of watch) {
          if (peer.closeFrame && !closedAt.has(connection.id)) closedAt.set(connection.id, server.clock.monotonic() - start);
        }
        server.clock.advance(10);
      }
      expect(watch.map(({ connection }) => closedAt.get(connection.id))).toEqual([0, 250, 500, 750]);
      for (const { peer } of watch) expect(peer.closeFrame).toEqual({ code: CloseCode.ServiceRestart, reason: HeartbeatMessages.closeDraining() });
      expect(server.eventsOf('draining').map((event) => [event.connectionId, event.position, event.of])).toEqual(
        watch.map(({ connection }, i) => [connection.id, i + 1, 4]),
      );

      for (const { connection } of watch) server.closeTransport(connection, CloseCode.ServiceRestart);
      await done;
      expect(server.drainer.state).toBe('drained');
      expect(server.logger.at('log')).toContain(HeartbeatMessages.logDrainCompleted(4, 0, WINDOW + 10));
    });

    it('destroys a straggler that does not answer its close frame after the close grace, and counts it', async () => {
      const server = core();
      const { connection, peer } = await server.open();
      let drained = false;
      const done = server.drainer.drain().then(() => (drained = true));
      expect(peer.closeFrame?.code).toBe(CloseCode.ServiceRestart);
      server.clock.advance(CLOSE_HANDSHAKE_GRACE_MS);
      expect(peer.terminated).toBe(true);
      await settle();
      expect(drained).toBe(false);
      server.closeTransport(connection);
      await done;
      expect(server.logger.at('log')).toContain(HeartbeatMessages.logDrainCompleted(1, 1, CLOSE_HANDSHAKE_GRACE_MS));
      expect(server.eventsOf('disconnected')).toEqual([expect.objectContaining({ code: CloseCode.ServiceRestart })]);
    });

    it('destroys whatever is left after the window, the close grace and the margin, even a transport that never closes', async () => {
      const server = core();
      const { peer } = await server.open();
      peer.close = () => undefined; // a close frame that never leaves: the transport stays open
      void server.drainer.drain();
      server.clock.advance(WINDOW + CLOSE_HANDSHAKE_GRACE_MS + STRAGGLER_MARGIN_MS - 1);
      peer.terminated = false;
      server.clock.advance(1);
      expect(peer.terminated).toBe(true);
    });

    it('resolves at once with no connection, and the same promise when called twice', async () => {
      const server = core();
      const first = server.drainer.drain();
      expect(server.drainer.drain()).toBe(first);
      await first;
      expect(server.drainer.state).toBe('drained');
      expect(server.clock.pendingTimers).toBe(2); // the ping wheel and the sweep, nothing of the drain
    });

    it('skips connections that closed before their turn', async () => {
      const server = core();
      const [first, second] = await Promise.all([server.open(), server.open()]);
      const done = server.drainer.drain();
      second.connection.close(CloseCode.Kicked, 'kicked');
      server.clock.advance(WINDOW);
      expect(second.peer.closeFrame?.code).toBe(CloseCode.Kicked);
      expect(server.eventsOf('draining').map((event) => event.connectionId)).toEqual([first.connection.id]);
      server.closeTransport(first.connection);
      server.closeTransport(second.connection);
      await done;
    });
  });

  describe('while draining', () => {
    it('refuses a new transport and a hello with 1012', async () => {
      const server = core();
      const { connection } = server.accept();
      void server.drainer.drain();
      const late = server.accept();
      expect(late.peer.closeFrame).toEqual({ code: CloseCode.ServiceRestart, reason: HeartbeatMessages.closeDraining() });
      // The handshaking one was closed first; a hello it had in flight is dropped.
      server.send(connection, { type: 'hello' });
      await settle();
      expect(connection.isOpen).toBe(false);
    });

    it('refuses a hello whose token check ends after the drain began', async () => {
      let release!: (verdict: boolean) => void;
      const server = new TestCore({ drainWindow: WINDOW, verifyToken: () => new Promise<boolean>((resolve) => (release = resolve)) }).start();
      const { connection, peer } = server.accept();
      server.send(connection, { type: 'hello', token: 't' });
      await settle();
      void server.drainer.drain();
      release(true);
      await settle();
      expect(peer.framesOf('welcome')).toEqual([]);
      expect(peer.closeFrame?.code).toBe(CloseCode.ServiceRestart);
    });
  });
});
