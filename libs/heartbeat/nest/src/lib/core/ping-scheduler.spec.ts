import { describe, expect, it } from '@jest/globals';
import { CloseCode } from '@heartbeat/protocol';
import type { HeartbeatSample } from './heartbeat-events.js';
import { PING_TICK_INTERVAL } from './ping-scheduler.js';
import { TestCore } from '../../testing/test-core.js';

/** A core with a 1 s ping interval (20 wheel slots of 50 ms) and 3 misses allowed; `pingsPerTurn` as the wheel's batch. */
const core = (pingsPerTurn?: number) => new TestCore({ pingInterval: 1_000, heartbeatTimeout: 10_000, maxMissedPings: 3 }, undefined, pingsPerTurn).start();

/** How many distinct moments the connections' first pings went out at. */
const firstPingMoments = (opened: { peer: { framesOf(type: 'ping'): { server_time: number }[] } }[]): number =>
  new Set(opened.map(({ peer }) => peer.framesOf('ping')[0].server_time)).size;

describe('PingScheduler', () => {
  describe('#start', () => {
    it('pings every open connection once per interval, spread over the wheel, each on its own schedule', async () => {
      const server = core(2);
      const opened = await Promise.all(Array.from({ length: 40 }, () => server.open()));
      server.clock.advance(1_000);
      for (const { peer, connection } of opened) {
        expect(peer.framesOf('ping').map((ping) => ping.sequence)).toEqual([1]);
        connection.touch(server.clock.now());
      }
      server.clock.advance(1_000);
      for (const { peer } of opened) expect(peer.framesOf('ping').map((ping) => ping.sequence)).toEqual([1, 2]);
      expect(server.counters.pingsSent).toBe(80);
      // 40 connections over 20 slots, a batch of 2: two per tick, not a burst of 40.
      expect(firstPingMoments(opened)).toBe(20);
    });

    it('serves consecutive slots in one turn while they hold at most pingsPerTurn connections, each still once per interval', async () => {
      const batched = core(6);
      const opened = await Promise.all(Array.from({ length: 40 }, () => batched.open()));
      batched.clock.advance(1_000);
      // Two per slot, a batch of 6: turns of 3 slots, the round's last one of the 2 left (20 slots).
      expect(firstPingMoments(opened)).toBe(7);
      for (const { connection } of opened) connection.touch(batched.clock.now());
      batched.clock.advance(1_000);
      for (const { peer } of opened) expect(peer.framesOf('ping').map((ping) => ping.sequence)).toEqual([1, 2]);

      const few = core();
      const all = await Promise.all(Array.from({ length: 40 }, () => few.open()));
      few.clock.advance(1_000);
      expect(firstPingMoments(all)).toBe(1);
    });

    it('turns an empty wheel once per MAX_TURN_MS, not once per tick, and still pings a connection that joins within an interval and a turn', async () => {
      const server = new TestCore({ pingInterval: 25_000, heartbeatTimeout: 60_000, maxMissedPings: 3 }).start();
      const armed = server.clock.armedTimers;
      server.clock.advance(10_000);
      // 500 slots of 50 ms: one timer a second, where a tick each would have been 200.
      expect(server.clock.armedTimers - armed).toBe(10);
      // Turns start at 50 ms, 1,050 ms, …: the second round's first turn (slots 0-19) is at 25,050 ms.
      // A connection that joins just after it, in slot 0, waits the longest: until the next round's.
      server.clock.advance(15_060);
      const { peer } = await server.open();
      const joinedAt = server.clock.now();
      server.clock.advance(25_000 + 1_000);
      expect(peer.framesOf('ping').map((ping) => ping.server_time - joinedAt)).toEqual([24_990]);
    });

    it('sizes each turn by the connections on the wheel now: a burst that joins during a round is spread from the next turn', async () => {
      // 2 s over 40 slots, at most 20 slots (1 s) a turn, a batch of 2.
      const server = new TestCore({ pingInterval: 2_000, heartbeatTimeout: 20_000, maxMissedPings: 3 }, undefined, 2).start();
      await server.open();
      // One connection: the first turn (at 50 ms) serves slots 0-19 and the next comes a second later.
      server.clock.advance(100);
      const burst = await Promise.all(Array.from({ length: 40 }, () => server.open()));
      server.clock.advance(2_000);
      const inSecondHalf = burst.filter(({ connection }) => connection.pingSlot >= 20);
      expect(inSecondHalf).toHaveLength(20);
      // One slot a turn (41 connections over 40 slots, a batch of 2), not the 20 slots the round began with.
      expect(firstPingMoments(inSecondHalf)).toBe(20);
    });

    it('names its timer for the application (Nest lists it in SchedulerRegistry) and stops for good', () => {
      const server = core();
      expect(server.clock.pendingNames).toContain(PING_TICK_INTERVAL);
      server.pings.stop();
      expect(server.clock.pendingNames).not.toContain(PING_TICK_INTERVAL);
      server.pings.start();
      expect(server.clock.pendingNames).not.toContain(PING_TICK_INTERVAL);
    });

    it('does not ping connections still in the handshake', () => {
      const server = core();
      const { peer } = server.accept();
      server.clock.advance(3_000);
      expect(peer.framesOf('ping')).toEqual([]);
    });

    it('restarts its schedule after a stall instead of pinging in a burst', async () => {
      const server = core();
      const { peer } = await server.open();
      // The wheel keeps its schedule on the monotonic clock: a 5 s stall is one turn, not five.
      const realMonotonic = server.clock.monotonic.bind(server.clock);
      let stall = 0;
      server.clock.monotonic = () => realMonotonic() + stall;
      stall = 5_000;
      server.clock.advance(1_000);
      expect(peer.framesOf('ping')).toHaveLength(1);
    });
  });

  describe('missed pings', () => {
    it('counts no miss in a turn that comes late (a blocked event loop), and counts it in the next turn on time', async () => {
      const server = core();
      const { connection, peer } = await server.open();
      server.clock.advance(1_000);
      expect(peer.framesOf('ping')).toHaveLength(1);
      // The loop is blocked past the next turn: the answer may be unread in the socket when the timer runs.
      const realMonotonic = server.clock.monotonic.bind(server.clock);
      server.clock.monotonic = () => realMonotonic() + 5_000;
      server.clock.advance(1_000);
      expect(peer.framesOf('ping')).toHaveLength(2);
      expect(connection.missedPings).toBe(0);
      server.clock.advance(1_000);
      expect(connection.missedPings).toBe(1);
      expect(peer.terminated).toBe(false);
    });

    it('leaves a silent peer to the silence sweep while every turn comes late (a loop lagging for good): timed out after heartbeatTimeout', async () => {
      const server = new TestCore({ pingInterval: 1_000, heartbeatInterval: 1_000, heartbeatTimeout: 5_000, maxMissedPings: 3 }).start();
      const { connection, peer } = await server.open();
      const realMonotonic = server.clock.monotonic.bind(server.clock);
      let lag = 0;
      server.clock.monotonic = () => realMonotonic() + lag;
      const lateSecond = () => {
        lag += 5_000;
        server.clock.advance(1_000);
      };
      for (let second = 1; second <= 4; second++) lateSecond();
      // On time, the fourth turn would have timed it out for 3 unanswered pings.
      expect(peer.framesOf('ping').length).toBeGreaterThanOrEqual(3);
      expect(connection.missedPings).toBe(0);
      expect(peer.terminated).toBe(false);
      lateSecond();
      lateSecond();
      expect(peer.terminated).toBe(true);
      expect(server.eventsOf('timed_out')).toEqual([expect.objectContaining({ connectionId: connection.id, cause: 'heartbeat_timeout' })]);
    });

    it('times a silent peer out after maxMissedPings unanswered pings: terminated, counted, told', async () => {
      const server = core();
      const { connection, peer } = await server.open();
      server.clock.advance(3_000);
      expect(peer.framesOf('ping')).toHaveLength(3);
      expect(peer.terminated).toBe(false);
      server.clock.advance(1_000);
      expect(peer.terminated).toBe(true);
      expect(peer.framesOf('ping')).toHaveLength(3);
      expect(connection.phase).toMatchObject({ phase: 'closing', code: CloseCode.HeartbeatTimeout, reason: 'heartbeat timeout: 3 pings unanswered' });
      expect(server.counters.timeoutDisconnections).toBe(1);
      expect(server.eventsOf('timed_out')).toEqual([
        expect.objectContaining({ connectionId: connection.id, cause: 'missed_pings', missedPings: 3 }),
      ]);
      expect(server.logger.at('warn')).toContain(`connection ${connection.id} timed out: 3 pings unanswered`);
      expect(connection.pingSlot).toBe(-1);
    });

    it('forgives misses once the peer answers: a pong resets the count', async () => {
      const server = core();
      const { connection, peer } = await server.open();
      for (let turn = 0; turn < 10; turn++) {
        server.clock.advance(1_000);
        if (turn % 2 === 1) server.pong(connection, connection.pingsSent);
      }
      expect(peer.terminated).toBe(false);
      expect(connection.missedPings).toBeLessThan(3);
      expect(server.counters.pongsReceived).toBe(5);
    });

    it('counts any frame as proof of life', async () => {
      const server = core();
      const { connection, peer } = await server.open();
      for (let turn = 0; turn < 10; turn++) {
        server.clock.advance(1_000);
        server.ping(connection, turn + 1);
      }
      expect(peer.terminated).toBe(false);
      expect(peer.framesOf('pong')).toHaveLength(10);
    });

    it('does not time out a connection that is already closing', async () => {
      const server = core();
      const { connection } = await server.open();
      connection.close(CloseCode.Kicked, 'bye');
      server.clock.advance(10_000);
      expect(server.counters.timeoutDisconnections).toBe(0);
      expect(server.eventsOf('timed_out')).toEqual([]);
    });

    it('keeps a peer whose pings cannot be written on the wheel without counting them as sent', async () => {
      const server = core();
      const { connection, peer } = await server.open();
      peer.bufferedAmount = server.options.maxBufferedBytes + 1;
      server.clock.advance(1_000);
      expect(connection.pingsSent).toBe(0);
      expect(server.counters.pingsSent).toBe(0);
      expect(server.eventsOf('slow_consumer')).toHaveLength(1);
    });
  });

  describe('#recordPong', () => {
    it('measures RTT and clock offset from when the pong arrived, and streams the sample', async () => {
      const server = core();
      const samples: HeartbeatSample[] = [];
      server.pings.samples$.subscribe((sample) => samples.push(sample));
      const { connection, peer } = await server.open();
      server.clock.advance(1_000);
      const ping = peer.framesOf('ping')[0];
      server.clock.advance(30);
      const rtt = server.clock.now() - ping.server_time;
      // The client's clock runs 500 ms ahead: it stamped its pong half an RTT after the ping left.
      server.pong(connection, ping.sequence, ping.server_time + rtt / 2 + 500);
      expect(samples).toEqual([{ connectionId: connection.id, rttMs: rtt, clockOffsetMs: 500, at: server.clock.now() }]);
      expect(connection.rttMs).toBe(rtt);
    });

    it('counts a pong for an old ping without a sample', async () => {
      const server = core();
      const samples: HeartbeatSample[] = [];
      server.pings.samples$.subscribe((sample) => samples.push(sample));
      const { connection } = await server.open();
      server.clock.advance(2_000);
      server.pong(connection, 1, 0);
      expect(samples).toEqual([]);
      expect(server.counters.pongsReceived).toBe(1);
    });
  });

  describe('#answerPing', () => {
    it('answers a client ping at once with the server time and its count', async () => {
      const server = core();
      const { connection, peer } = await server.open();
      server.ping(connection, 7, 42);
      expect(peer.framesOf('pong')).toEqual([
        expect.objectContaining({ client_time: 42, sequence: 7, ping_count: 1, server_time: server.clock.now() }),
      ]);
      expect(server.counters.clientPings).toBe(1);
    });
  });
});
