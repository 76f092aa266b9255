import { describe, expect, it } from '@jest/globals';
import { CloseCode } from '@heartbeat/protocol';
import type { IncomingMessage } from 'node:http';
import { FakeClock } from '../../testing/fake-clock.js';
import { FakePeer } from '../../testing/fake-peer.js';
import { CLOSE_HANDSHAKE_GRACE_MS, type ConnectionContext, HeartbeatConnection } from './heartbeat-connection.js';
import { HeartbeatSession } from './heartbeat-session.js';

/** A connection on a fake peer and clock; `overflows` records what it reported as a slow consumer. */
function connectionOn(peer = new FakePeer(), maxBufferedBytes = 1_000) {
  const clock = new FakeClock();
  const overflows: number[] = [];
  const context: ConnectionContext = { clock, epoch: clock.now(), maxBufferedBytes, onOverflow: (_, buffered) => overflows.push(buffered) };
  const connection = new HeartbeatConnection('c-1', peer, undefined, clock.now(), context);
  peer.connection = connection;
  return { connection, peer, clock, overflows };
}

function openConnection() {
  const made = connectionOn();
  made.connection.beginAuthentication();
  made.connection.open(new HeartbeatSession('s-1', undefined), undefined);
  return made;
}

describe('HeartbeatConnection', () => {
  describe('#request and #recordViolation', () => {
    it('keeps the upgrade request until the token check is done, and counts violations before and after', () => {
      const clock = new FakeClock();
      const context: ConnectionContext = { clock, epoch: clock.now(), maxBufferedBytes: 1_000, onOverflow: () => undefined };
      const request = {} as IncomingMessage;
      const connection = new HeartbeatConnection('c-1', new FakePeer(), request, clock.now(), context);
      expect(connection.request).toBe(request);
      expect(connection.recordViolation()).toBe(1);
      connection.releaseRequest();
      expect(connection.request).toBeUndefined();
      expect(connection.recordViolation()).toBe(2);
      const quiet = connectionOn().connection;
      quiet.releaseRequest();
      expect([quiet.request, quiet.recordViolation()]).toEqual([undefined, 1]);
    });
  });

  describe('#session', () => {
    it('opened without a session, has one of its own with its id, made when first asked for', () => {
      const { connection } = connectionOn();
      expect(connection.sessionId).toBeUndefined();
      connection.beginAuthentication();
      connection.open(undefined, { userId: 'u-1', claims: {} });
      expect(connection.sessionId).toBe('c-1');
      const session = connection.session;
      expect([session?.id, session?.userId, session?.connection]).toEqual(['c-1', 'u-1', connection]);
      expect(connection.session).toBe(session);
    });
  });

  describe('#state', () => {
    it('goes handshake → authenticating → open, each transition once', () => {
      const { connection } = connectionOn();
      expect(connection.state).toBe('handshake');
      expect(connection.open(new HeartbeatSession('s-1', undefined), undefined)).toBe(false);
      expect(connection.beginAuthentication()).toBe(true);
      expect(connection.beginAuthentication()).toBe(false);
      expect(connection.state).toBe('authenticating');
      expect(connection.isOpen).toBe(false);
      expect(connection.open(new HeartbeatSession('s-1', undefined), undefined)).toBe(true);
      expect(connection.state).toBe('open');
      expect(connection.isOpen).toBe(true);
      expect(connection.sessionId).toBe('s-1');
      expect(connection.open(new HeartbeatSession('s-2', undefined), undefined)).toBe(false);
      expect(connection.sessionId).toBe('s-1');
    });

    it('keeps showing the state it was in while closing, and closed once released', () => {
      const { connection } = openConnection();
      connection.close(CloseCode.Kicked, 'bye');
      expect(connection.state).toBe('open');
      expect(connection.isOpen).toBe(false);
      expect(connection.isClosing).toBe(true);
      expect(connection.phase).toMatchObject({ phase: 'closing', from: 'open', code: CloseCode.Kicked, reason: 'bye' });
      connection.release(1005, '');
      expect(connection.state).toBe('closed');
    });
  });

  describe('#close', () => {
    it('sends one close frame, arms the close grace and keeps the first decision when called twice', () => {
      const { connection, peer, clock } = openConnection();
      connection.close(CloseCode.Kicked, 'first');
      connection.close(CloseCode.ServiceRestart, 'second');
      expect(peer.closeFrame).toEqual({ code: CloseCode.Kicked, reason: 'first' });
      expect(connection.phase).toMatchObject({ phase: 'closing', code: CloseCode.Kicked, reason: 'first' });
      expect(clock.pendingTimers).toBe(1);
    });

    it('destroys the transport when the close frame goes unanswered for the close grace', () => {
      const { connection, peer, clock } = openConnection();
      connection.close(CloseCode.Kicked, 'bye');
      clock.advance(CLOSE_HANDSHAKE_GRACE_MS - 1);
      expect(peer.terminated).toBe(false);
      clock.advance(1);
      expect(peer.terminated).toBe(true);
      expect(connection.closeGraceExpired).toBe(true);
      expect(connection.release(1006, '')).toEqual({ phase: 'closed', code: CloseCode.Kicked, reason: 'bye', graceExpired: true });
    });

    it('ends the hello deadline when closing during the handshake', () => {
      const { connection, clock } = connectionOn();
      let fired = 0;
      connection.setDeadline(1_000, () => fired++);
      connection.close(CloseCode.HandshakeTimeout, 'no hello');
      clock.advance(CLOSE_HANDSHAKE_GRACE_MS + 1_000);
      expect(fired).toBe(0);
      expect(connection.state).toBe('handshake');
      expect(connection.isClosing).toBe(true);
    });

    it('rejects a code or reason a close frame cannot carry, changing nothing', () => {
      const { connection, peer, clock } = openConnection();
      expect(() => connection.close(1005, 'reserved')).toThrow(RangeError);
      expect(() => connection.close(4000, 'x'.repeat(124))).toThrow(RangeError);
      expect(connection.isClosing).toBe(false);
      expect(peer.closeFrame).toBeUndefined();
      expect(clock.pendingTimers).toBe(0);
    });

    it('records the decision without a close frame when the transport is already gone', () => {
      const { connection, peer, clock } = openConnection();
      peer.terminate();
      connection.close(CloseCode.Kicked, 'late');
      expect(peer.closeFrame).toBeUndefined();
      expect(clock.pendingTimers).toBe(0);
      expect(connection.release(1006, '')).toMatchObject({ code: CloseCode.Kicked, reason: 'late' });
    });
  });

  describe('#terminate', () => {
    it('destroys the transport after a close, keeping the close decision', () => {
      const { connection, peer } = openConnection();
      connection.close(CloseCode.Kicked, 'bye');
      connection.terminate(CloseCode.GoingAway, 'shutdown');
      expect(peer.terminated).toBe(true);
      expect(connection.phase).toMatchObject({ phase: 'closing', code: CloseCode.Kicked });
    });

    it('is safe twice', () => {
      const { connection, peer } = openConnection();
      connection.terminate(CloseCode.HeartbeatTimeout, 'dead');
      connection.terminate(CloseCode.GoingAway, 'again');
      expect(peer.terminated).toBe(true);
      expect(connection.phase).toMatchObject({ code: CloseCode.HeartbeatTimeout, reason: 'dead' });
    });
  });

  describe('#recordSocketError', () => {
    it('records ws frame errors with their close code and ignores transport errors', () => {
      const { connection } = openConnection();
      connection.recordSocketError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
      expect(connection.isClosing).toBe(false);
      connection.recordSocketError(Object.assign(new Error('Max payload size exceeded'), { code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' }));
      expect(connection.phase).toMatchObject({ phase: 'closing', code: 1009, reason: 'Max payload size exceeded' });
    });

    it('answers other ws errors with 1002', () => {
      const { connection } = openConnection();
      connection.recordSocketError(Object.assign(new Error('Invalid opcode 3'), { code: 'WS_ERR_INVALID_OPCODE' }));
      expect(connection.phase).toMatchObject({ code: 1002 });
    });
  });

  describe('#release', () => {
    it("releases its timer and its transport's slot, and reports what the transport said when the server decided nothing", () => {
      const { connection, peer, clock } = openConnection();
      connection.setDeadline(60_000, () => undefined);
      expect(clock.pendingTimers).toBe(1);
      expect(connection.release(1001, 'going away')).toEqual({ phase: 'closed', code: 1001, reason: 'going away', graceExpired: false });
      expect(clock.pendingTimers).toBe(0);
      expect(peer.connection).toBeUndefined();
    });

    it('is safe twice: the first result stays', () => {
      const { connection } = openConnection();
      connection.release(1000, 'done');
      expect(connection.release(1006, 'again')).toMatchObject({ code: 1000, reason: 'done' });
    });

    it('releases the close grace timer of a closing connection', () => {
      const { connection, clock } = openConnection();
      connection.close(CloseCode.Kicked, 'bye');
      connection.release(CloseCode.Kicked, 'bye');
      expect(clock.pendingTimers).toBe(0);
      connection.setDeadline(10, () => undefined);
      expect(clock.pendingTimers).toBe(0);
    });
  });

  describe('#setDeadline', () => {
    it('keeps one timer, the latest, and ignores deadlines once closing', () => {
      const { connection, clock } = openConnection();
      const fired: string[] = [];
      connection.setDeadline(100, () => fired.push('first'));
      connection.setDeadline(200, () => fired.push('second'));
      expect(clock.pendingTimers).toBe(1);
      clock.advance(200);
      expect(fired).toEqual(['second']);
      connection.close(CloseCode.Kicked, 'bye');
      connection.setDeadline(10, () => fired.push('late'));
      clock.advance(10);
      expect(fired).toEqual(['second']);
    });

    it('ends with the token expiry being removed', () => {
      const { connection, clock } = openConnection();
      connection.setDeadline(100, () => undefined);
      connection.setTokenExpiry(undefined);
      expect(clock.pendingTimers).toBe(0);
      expect(connection.tokenExpiresAt).toBeUndefined();
    });

    it('gives back exact times on a connection whose epoch is 30 days old, beyond a small integer', () => {
      const clock = new FakeClock();
      const context: ConnectionContext = { clock, epoch: clock.now() - 30 * 86_400_000, maxBufferedBytes: 1_000, onOverflow: () => undefined };
      const connection = new HeartbeatConnection('c-old', new FakePeer(), undefined, clock.now(), context);
      connection.recordPing(1, clock.now() + 1_000);
      connection.recordPong(1, clock.now() + 1_040, clock.now() + 1_080);
      expect(connection.connectedAt).toBe(clock.now());
      expect(connection.lastPingAt).toBe(clock.now() + 1_000);
      expect(connection.lastPongAt).toBe(clock.now() + 1_080);
      expect(connection.rttMs).toBe(80);
      expect(connection.clockOffsetMs).toBe(0);
    });

    it('gives back the token expiry it was given, a day or a year ahead', () => {
      const { connection, clock } = openConnection();
      for (const ahead of [86_400_000, 365 * 86_400_000]) {
        connection.setTokenExpiry(clock.now() + ahead);
        expect(connection.tokenExpiresAt).toBe(clock.now() + ahead);
      }
    });
  });

  describe('#sendText (backpressure)', () => {
    it('writes while the send buffer is at most the mark', () => {
      const { connection, peer } = openConnection();
      peer.bufferedAmount = 1_000;
      expect(connection.send({ type: 'authenticated' })).toBe(true);
      expect(peer.frames).toEqual([{ type: 'authenticated' }]);
    });

    it('drops frames above the mark and reports the overflow once', () => {
      const { connection, peer, overflows } = openConnection();
      peer.bufferedAmount = 1_001;
      expect(connection.send({ type: 'authenticated' })).toBe(false);
      expect(connection.send({ type: 'authenticated' })).toBe(false);
      expect(peer.frames).toEqual([]);
      expect(overflows).toEqual([1_001]);
    });

    it('writes nothing once the transport is no longer open', () => {
      const { connection, peer } = openConnection();
      connection.close(CloseCode.Kicked, 'bye');
      expect(connection.sendError({ code: 'internal_error', message: 'x' })).toBe(false);
      expect(peer.frames).toEqual([]);
    });
  });

  describe('#recordPong', () => {
    it('measures the RTT and clock offset of an answer to the latest ping, smoothed as TCP does', () => {
      const { connection } = openConnection();
      connection.recordPing(1, 1_000);
      expect(connection.recordPong(1, 5_040, 1_080)).toBe(80);
      expect(connection.clockOffsetMs).toBe(5_040 - 1_040);
      connection.recordPing(2, 2_000);
      expect(connection.recordPong(2, 0, 2_160)).toBe(160);
      expect(connection.smoothedRttMs).toBe(80 + (160 - 80) / 8);
      expect(connection.pongsReceived).toBe(2);
    });

    it.each([
      ['varied samples', [80, 3, 157, 41, 41, 999, 12, 5, 5, 5, 260, 77, 1, 0, 64, 33, 91, 17, 150, 8]],
      // Where rounding down or up every step would drift past the bound (4.7/1024 ms) and rounding to nearest does not.
      ['a rise after a first sample of 0', [0, ...Array.from({ length: 80 }, () => 100)]],
      ['a fall after a first sample of 1,000', [1_000, ...Array.from({ length: 80 }, () => 0)]],
    ])('keeps the smoothed RTT within 4/1024 ms of the exact average: %s', (_name, rtts) => {
      const { connection } = openConnection();
      let exact: number | undefined;
      rtts.forEach((rtt, index) => {
        const sentAt = 1_000 * (index + 1);
        connection.recordPing(index + 1, sentAt);
        connection.recordPong(index + 1, sentAt, sentAt + rtt);
        exact = exact === undefined ? rtt : exact + (rtt - exact) / 8;
        expect(Math.abs((connection.smoothedRttMs as number) - exact)).toBeLessThanOrEqual(4 / 1_024);
      });
    });

    it('gives the clock offset to the half millisecond: exact for whole milliseconds, rounded for a fractional client time', () => {
      const { connection } = openConnection();
      connection.recordPing(1, 1_000);
      connection.recordPong(1, 5_000, 1_001);
      expect(connection.clockOffsetMs).toBe(5_000 - 1_000.5);
      connection.recordPing(2, 2_000);
      connection.recordPong(2, 6_000.3, 2_001);
      expect(connection.clockOffsetMs).toBe(4_000);
    });

    it('counts an answer to an older ping without measuring it', () => {
      const { connection } = openConnection();
      connection.recordPing(1, 1_000);
      connection.recordPing(2, 2_000);
      expect(connection.recordPong(1, 0, 2_100)).toBeUndefined();
      expect(connection.rttMs).toBeUndefined();
      expect(connection.pongsReceived).toBe(1);
      expect(connection.lastPongAt).toBe(2_100);
    });
  });

  describe('#countMissedPing', () => {
    it('counts an unanswered ping, and any inbound frame resets the count', () => {
      const { connection, clock } = openConnection();
      const start = clock.now();
      expect(connection.countMissedPing()).toBe(0);
      connection.recordPing(1, start + 1_000);
      expect(connection.countMissedPing()).toBe(1);
      connection.recordPing(2, start + 2_000);
      expect(connection.countMissedPing()).toBe(2);
      connection.touch(start + 2_500);
      expect(connection.missedPings).toBe(0);
      expect(connection.countMissedPing()).toBe(0);
    });
  });

  describe('#addTopic and #removeTopic', () => {
    it('keeps each topic once, in the order subscribed, and forgets removed ones', () => {
      const { connection } = connectionOn();
      expect(connection.addTopic('alerts')).toBe(true);
      expect(connection.addTopic('news')).toBe(true);
      expect(connection.addTopic('alerts')).toBe(false);
      connection.removeTopic('alerts');
      connection.removeTopic('alerts');
      connection.removeTopic('never');
      expect(connection.topics).toEqual(['news']);
      connection.removeTopic('news');
      expect(connection.topics).toEqual([]);
    });

    it('keeps the same answers past the size where the list becomes a set', () => {
      const { connection } = connectionOn();
      const names = Array.from({ length: 50 }, (_, i) => `topic-${i}`);
      for (const name of names) expect(connection.addTopic(name)).toBe(true);
      for (const name of names) expect(connection.addTopic(name)).toBe(false);
      for (const name of names.filter((_, i) => i % 2 === 0)) connection.removeTopic(name);
      expect(connection.topics).toEqual(names.filter((_, i) => i % 2 === 1));
    });

    it('keeps one topic, two and back to one alike', () => {
      const { connection } = connectionOn();
      expect(connection.hasTopic('alerts')).toBe(false);
      expect(connection.addTopic('alerts')).toBe(true);
      expect([connection.hasTopic('alerts'), connection.hasTopic('news'), connection.topics]).toEqual([true, false, ['alerts']]);
      expect(connection.addTopic('news')).toBe(true);
      connection.removeTopic('news');
      expect(connection.addTopic('alerts')).toBe(false);
      expect(connection.topics).toEqual(['alerts']);
      connection.removeTopic('news');
      connection.removeTopic('alerts');
      expect([connection.hasTopic('alerts'), connection.topics]).toEqual([false, []]);
    });

    it('never hands out a list that a later change alters', () => {
      const { connection } = connectionOn();
      connection.addTopic('alerts');
      const before = connection.topics;
      connection.addTopic('news');
      connection.removeTopic('alerts');
      expect(before).toEqual(['alerts']);
    });
  });

  describe('#takeFrameToken (the rateLimit bucket)', () => {
    it('admits a whole burst at once, then refuses', () => {
      const { connection } = connectionOn();
      const rate = { messagesPerSecond: 10, burst: 5 };
      expect(Array.from({ length: 5 }, () => connection.takeFrameToken(rate, 0))).toEqual([true, true, true, true, true]);
      expect(connection.takeFrameToken(rate, 0)).toBe(false);
    });

    it('refills at the rate: one token per 1000 / rate ms', () => {
      const { connection } = connectionOn();
      const rate = { messagesPerSecond: 10, burst: 5 };
      for (let i = 0; i < 5; i++) connection.takeFrameToken(rate, 0);
      expect(connection.takeFrameToken(rate, 99)).toBe(false);
      expect(connection.takeFrameToken(rate, 100)).toBe(true);
      expect(connection.takeFrameToken(rate, 100)).toBe(false);
    });

    it('sustains exactly the rate over time', () => {
      const { connection } = connectionOn();
      let admitted = 0;
      for (let t = 0; t <= 10_000; t += 5) if (connection.takeFrameToken({ messagesPerSecond: 50, burst: 1 }, t)) admitted++;
      // 1 at t = 0, then one per 20 ms for 10 s.
      expect(admitted).toBe(501);
    });

    it('starts full at the first frame and never holds more than the burst, however long it stayed idle', () => {
      const { connection } = connectionOn();
      const rate = { messagesPerSecond: 10, burst: 3 };
      expect(Array.from({ length: 4 }, () => connection.takeFrameToken(rate, 3_600_000))).toEqual([true, true, true, false]);
      expect(Array.from({ length: 4 }, () => connection.takeFrameToken(rate, 7_200_000))).toEqual([true, true, true, false]);
    });

    it('ignores a clock that goes backwards', () => {
      const { connection } = connectionOn();
      const rate = { messagesPerSecond: 10, burst: 1 };
      expect(connection.takeFrameToken(rate, 1_000)).toBe(true);
      expect(connection.takeFrameToken(rate, 500)).toBe(false);
      expect(connection.takeFrameToken(rate, 1_100)).toBe(true);
    });

    it('says how long until the bucket is full again: 0 before the first frame', () => {
      const { connection } = connectionOn();
      const rate = { messagesPerSecond: 100, burst: 200 };
      expect(connection.msUntilFrameBucketFull(rate, 0)).toBe(0);
      for (let i = 0; i < 200; i++) connection.takeFrameToken(rate, 0);
      expect(connection.msUntilFrameBucketFull(rate, 0)).toBe(2_000);
      expect(connection.msUntilFrameBucketFull(rate, 500)).toBe(1_500);
    });
  });

  describe('#remoteAddress', () => {
    it('gives ip:port, [ip]:port for IPv6, the IPv4 of a mapped address as remoteIp, unknown without an address', () => {
      const of = (address: string | undefined) => connectionOn(new FakePeer({ ip: address, port: 4000 })).connection;
      expect([of('10.0.0.7').remoteAddress, of('10.0.0.7').remoteIp]).toEqual(['10.0.0.7:4000', '10.0.0.7']);
      expect([of('::1').remoteAddress, of('::1').remoteIp]).toEqual(['[::1]:4000', '::1']);
      expect([of('::ffff:10.0.0.7').remoteAddress, of('::ffff:10.0.0.7').remoteIp]).toEqual(['[::ffff:10.0.0.7]:4000', '10.0.0.7']);
      expect([of(undefined).remoteAddress, of(undefined).remoteIp]).toEqual(['unknown', 'unknown']);
    });
  });
});
