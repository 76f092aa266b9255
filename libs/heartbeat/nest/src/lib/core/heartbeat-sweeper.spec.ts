import { describe, expect, it } from '@jest/globals';
import { CloseCode } from '@heartbeat/protocol';
import { SWEEP_INTERVAL } from './heartbeat-sweeper.js';
import { TestCore } from '../../testing/test-core.js';

/** Pings every 10 s (the wheel stays out of the way), the sweep every second, silence allowed for 3 s. */
const core = () => new TestCore({ pingInterval: 10_000, heartbeatInterval: 1_000, heartbeatTimeout: 30_000, maxMissedPings: 100 }).start();

describe('HeartbeatSweeper', () => {
  describe('#sweep', () => {
    it('times out an open connection silent for longer than heartbeatTimeout, on its own timer', async () => {
      const server = core();
      const { connection, peer } = await server.open();
      server.clock.advance(30_000);
      expect(peer.terminated).toBe(false);
      server.clock.advance(1_000);
      expect(peer.terminated).toBe(true);
      expect(connection.phase).toMatchObject({ code: CloseCode.HeartbeatTimeout });
      expect(server.eventsOf('timed_out')).toEqual([expect.objectContaining({ cause: 'heartbeat_timeout', silentForMs: 31_000 })]);
      expect(server.counters.lastCleanupAt).toBe(server.clock.now());
    });

    it('spares a connection that keeps sending, and connections still in the handshake', async () => {
      const server = core();
      const { connection, peer } = await server.open();
      const handshaking = server.accept();
      for (let second = 0; second < 60; second++) {
        server.clock.advance(1_000);
        if (second % 10 === 0) server.ping(connection, second + 1);
      }
      expect(peer.terminated).toBe(false);
      // The handshake deadline closed the silent one (4008), not the sweep.
      expect(handshaking.connection.phase).toMatchObject({ code: CloseCode.HandshakeTimeout });
      expect(server.eventsOf('timed_out')).toEqual([]);
    });

    it('counts a connection once: not again while it is closing', async () => {
      const server = core();
      await server.open();
      server.clock.advance(31_000);
      expect(server.sweeper.sweep()).toBe(0);
      expect(server.counters.timeoutDisconnections).toBe(1);
    });
  });

  describe('#stop', () => {
    it('clears its named timer', () => {
      const server = core();
      expect(server.clock.pendingNames).toContain(SWEEP_INTERVAL);
      server.sweeper.stop();
      expect(server.clock.pendingNames).not.toContain(SWEEP_INTERVAL);
    });
  });
});
