import { describe, expect, it } from '@jest/globals';
import { CloseCode, ProtocolErrorCode } from '@heartbeat/protocol';
import { settle, TestCore } from '../../testing/test-core.js';
import { HeartbeatMessages } from './heartbeat.messages.js';

describe('HandshakeService', () => {
  describe('#start', () => {
    it('closes a connection that sends no hello within handshakeTimeout with 4008', () => {
      const server = new TestCore({ handshakeTimeout: 2_000 });
      const { peer } = server.accept();
      server.clock.advance(1_999);
      expect(peer.closeFrame).toBeUndefined();
      server.clock.advance(1);
      expect(peer.closeFrame).toEqual({ code: CloseCode.HandshakeTimeout, reason: HeartbeatMessages.closeHandshakeTimeout(2_000) });
    });

    it('ends the deadline at welcome', async () => {
      const server = new TestCore({ handshakeTimeout: 2_000 });
      const { peer } = await server.open();
      server.clock.advance(10_000);
      expect(peer.closeFrame).toBeUndefined();
      expect(peer.framesOf('welcome')).toHaveLength(1);
    });

    it('closes a connection whose token check outlasts the deadline, and never welcomes it nor subscribes its hello\'s topics', async () => {
      let release!: (verdict: boolean) => void;
      const server = new TestCore({ handshakeTimeout: 2_000, verifyToken: () => new Promise<boolean>((resolve) => (release = resolve)) });
      const { connection, peer } = server.accept();
      server.send(connection, { type: 'hello', token: 't', positions: { alerts: 3 }, subscribe: ['news'] });
      server.clock.advance(2_000);
      expect(peer.closeFrame?.code).toBe(CloseCode.HandshakeTimeout);
      release(true);
      await settle();
      expect(peer.framesOf('welcome')).toEqual([]);
      expect(server.eventsOf('authenticated')).toEqual([]);
      expect(server.topics.calls.filter((call) => call.op !== 'remove')).toEqual([]);
    });
  });

  describe('#hello', () => {
    it('welcomes with the heartbeat settings, tells authenticated, starts pings and subscribes the positions and the topics of hello.subscribe', async () => {
      const server = new TestCore({ pingInterval: 1_000, heartbeatTimeout: 5_000, maxMissedPings: 4 }).start();
      const { connection, peer } = await server.open({ positions: { alerts: 3 }, subscribe: ['news'] });
      expect(peer.framesOf('welcome')).toEqual([
        expect.objectContaining({ resumed: false, heartbeat: { ping_interval: 1_000, heartbeat_timeout: 5_000, max_missed_pings: 4 }, hello_subscribe: true }),
      ]);
      expect(server.eventsOf('authenticated')).toEqual([expect.objectContaining({ connectionId: connection.id, resumed: false })]);
      expect(server.topics.calls).toEqual([
        { op: 'subscribe', id: connection.id, topic: 'alerts', since: 3 },
        { op: 'subscribe', id: connection.id, topic: 'news', since: undefined },
      ]);
      expect(connection.pingSlot).not.toBe(-1);
    });

    it('resumes a kept session and drops the half-open connection it was still attached to', async () => {
      const server = new TestCore();
      const first = await server.open();
      const sessionId = first.connection.sessionId!;
      const second = await server.open({ session_id: sessionId });
      expect(second.peer.framesOf('welcome')[0]).toMatchObject({ session_id: sessionId, resumed: true });
      expect(first.peer.terminated).toBe(true);
      expect(first.connection.phase).toMatchObject({ code: CloseCode.HeartbeatTimeout, reason: HeartbeatMessages.closeSuperseded(second.connection.id) });
      expect(server.counters.sessionTakeovers).toBe(1);
      expect(server.counters.resumedSessions).toBe(1);
      // The superseded connection's close no longer detaches the session it lost.
      server.closeTransport(first.connection);
      expect(server.sessions.retainedCount).toBe(0);
    });

    it('answers a second hello with an error, and a frame before welcome with handshake_required', async () => {
      const server = new TestCore();
      const { connection, peer } = await server.open();
      server.send(connection, { type: 'hello' });
      await settle();
      expect(peer.framesOf('error')).toEqual([expect.objectContaining({ code: ProtocolErrorCode.AlreadyAuthenticated, ref: 'hello' })]);
      const other = server.accept();
      server.send(other.connection, { type: 'subscribe', topic: 'alerts' });
      expect(other.peer.framesOf('error')).toEqual([expect.objectContaining({ code: ProtocolErrorCode.HandshakeRequired })]);
    });

    it('closes with 4001 for a refused token and 1011 when verifyToken throws, logging why, subscribing none of the hello\'s topics', async () => {
      const refused = new TestCore({ verifyToken: () => false });
      const a = await refused.open({ token: 'bad', positions: { alerts: 3 }, subscribe: ['news'] });
      expect(a.peer.closeFrame).toEqual({ code: CloseCode.Unauthorized, reason: HeartbeatMessages.closeUnauthorized() });
      expect(refused.topics.calls.filter((call) => call.op !== 'remove')).toEqual([]);

      const throwing = new TestCore({
        verifyToken: () => {
          throw new Error('auth service down');
        },
      });
      const b = await throwing.open({ token: 't' });
      expect(b.peer.closeFrame).toEqual({ code: CloseCode.InternalError, reason: HeartbeatMessages.closeVerifyFailed() });
      expect(throwing.logger.at('error')).toEqual([HeartbeatMessages.logVerifyTokenThrew(b.connection.id)]);
    });
  });

  describe('identity', () => {
    const verifyToken = (token: string | undefined) => (token === 'anon' ? true : { userId: token ?? '' });

    it('logs the user an authentication names, and anonymous without one', async () => {
      const server = new TestCore({ verifyToken });
      const alice = await server.open({ token: 'alice' });
      const anonymous = await server.open({ token: 'anon' });
      const logged = server.logger.lines.filter((line) => line.level === 'log').map((line) => line.message);
      expect(logged).toContain(HeartbeatMessages.logAuthenticated(alice.connection.id, alice.connection.sessionId ?? '', false, 'alice'));
      expect(logged).toContain(HeartbeatMessages.logAuthenticated(anonymous.connection.id, anonymous.connection.sessionId ?? '', false, undefined));
      expect(HeartbeatMessages.logAuthenticated('c', 's', false, 'alice')).toBe('connection c authenticated as user "alice" (session s)');
    });

    it('warns and counts a hello naming another user’s session, and gives it a new one', async () => {
      const server = new TestCore({ verifyToken });
      const alice = await server.open({ token: 'alice' });
      const sessionId = alice.connection.sessionId ?? '';
      const mallory = await server.open({ token: 'mallory', session_id: sessionId });
      expect(mallory.connection.sessionId).not.toBe(sessionId);
      expect(alice.connection.session?.connection).toBe(alice.connection);
      expect(server.counters.sessionRefusals).toBe(1);
      expect(server.logger.lines).toContainEqual({ level: 'warn', message: HeartbeatMessages.logSessionRefused(mallory.connection.id, sessionId, 'mallory') });
    });

    it('logs an auth token of another user before closing with 4001', async () => {
      const server = new TestCore({ verifyToken });
      const { connection, peer } = await server.open({ token: 'alice' });
      server.send(connection, { type: 'auth', token: 'bob' });
      await settle();
      expect(peer.closeFrame).toEqual({ code: CloseCode.Unauthorized, reason: HeartbeatMessages.closeOtherUser() });
      expect(server.logger.lines).toContainEqual({ level: 'warn', message: HeartbeatMessages.logOtherUserAuth(connection.id, 'alice', 'bob') });
      expect(connection.userId).toBe('alice');
    });
  });

  describe('#auth', () => {
    it('moves the token deadline, and a refused renewal closes with 4001', async () => {
      const start = Date.UTC(2026, 0, 1);
      const verdicts: Record<string, unknown> = { first: { expiresAt: start + 1_000 }, second: { expiresAt: start + 5_000 }, bad: false };
      const server = new TestCore({ verifyToken: (token) => verdicts[token ?? ''] as boolean });
      const { connection, peer } = await server.open({ token: 'first' });
      server.send(connection, { type: 'auth', token: 'second' });
      await settle();
      expect(peer.framesOf('authenticated')).toEqual([{ type: 'authenticated', token_expires_at: start + 5_000 }]);
      server.clock.advance(4_999);
      expect(peer.closeFrame).toBeUndefined();
      server.clock.advance(1);
      expect(peer.closeFrame).toEqual({ code: CloseCode.Unauthorized, reason: HeartbeatMessages.closeTokenExpired() });
      expect(server.eventsOf('token_expired')).toHaveLength(1);
      expect(server.counters.tokenExpirations).toBe(1);

      const other = await server.open({ token: 'second' });
      server.send(other.connection, { type: 'auth', token: 'bad' });
      await settle();
      expect(other.peer.closeFrame?.code).toBe(CloseCode.Unauthorized);
    });
  });
});
