import { describe, expect, it } from '@jest/globals';
import { CloseCode, ProtocolErrorCode } from '@heartbeat/protocol';
import { FakePeer } from '../../testing/fake-peer.js';
import { settle, TestCore } from '../../testing/test-core.js';
import { HeartbeatMessages } from './heartbeat.messages.js';

describe('FrameRouter', () => {
  describe('#receiveText', () => {
    it('records a pong read off its bytes as one parsed from text', async () => {
      const server = new TestCore();
      const { connection } = await server.open();
      connection.recordPing(1, server.clock.now());
      server.clock.advance(20);
      const pong = { type: 'pong', timestamp: new Date(server.clock.now()).toISOString(), client_time: server.clock.now(), sequence: 1, ping_count: 1 };
      server.router.receiveText(connection, Buffer.from(JSON.stringify(pong)));
      expect(connection.pongsReceived).toBe(1);
      expect(connection.rttMs).toBe(20);
    });

    it('takes a pong of a connection the server is closing without recording it, still counting it as proof of life', async () => {
      const server = new TestCore();
      const { connection } = await server.open();
      connection.close(CloseCode.Kicked, 'bye');
      server.clock.advance(1_000);
      const pong = { type: 'pong', timestamp: '', client_time: server.clock.now(), sequence: 1, ping_count: 1 };
      expect(server.router.takePong(connection, Buffer.from(JSON.stringify(pong)))).toBe(true);
      expect(connection.lastInboundAt).toBe(server.clock.now());
      expect(connection.pongsReceived).toBe(0);
    });

    it('answers a pong read off its bytes before the handshake as one parsed from text: handshake_required, nothing recorded', () => {
      const server = new TestCore();
      const { connection, peer } = server.accept(new FakePeer());
      const pong = { type: 'pong', timestamp: '', client_time: server.clock.now(), sequence: 1, ping_count: 1 };
      expect(server.router.takePong(connection, Buffer.from(JSON.stringify(pong)))).toBe(true);
      server.router.receive(connection, JSON.stringify(pong));
      expect(peer.framesOf('error')).toEqual([
        { type: 'error', code: ProtocolErrorCode.HandshakeRequired, message: HeartbeatMessages.handshakeRequired(), ref: 'pong' },
        { type: 'error', code: ProtocolErrorCode.HandshakeRequired, message: HeartbeatMessages.handshakeRequired(), ref: 'pong' },
      ]);
      expect(connection.pongsReceived).toBe(0);
    });

    it('routes every other text frame as text, and answers invalid bytes with error', async () => {
      const server = new TestCore();
      const { connection, peer } = await server.open();
      server.router.receiveText(connection, Buffer.from('{"type":"subscribe","topic":"alerts"}'));
      server.router.receiveText(connection, Buffer.from('{"type":"pong","sequence":"x"}'));
      expect(server.topics.calls).toEqual([{ op: 'subscribe', id: connection.id, topic: 'alerts' }]);
      expect(peer.framesOf('error')).toEqual([expect.objectContaining({ code: ProtocolErrorCode.InvalidFrame, ref: 'pong' })]);
      expect(connection.pongsReceived).toBe(0);
    });
  });

  describe('#accept', () => {
    it('closes a transport over its address limit with 1013 at once, and counts the address again when it closes', () => {
      const server = new TestCore({ maxConnectionsPerAddress: 1 });
      const first = server.accept(new FakePeer({ ip: '10.0.0.1', port: 1 }));
      const second = server.accept(new FakePeer({ ip: '10.0.0.1', port: 2 }));
      expect(first.peer.closeFrame).toBeUndefined();
      expect(second.peer.closeFrame?.code).toBe(CloseCode.TryAgainLater);
      expect(server.eventsOf('address_limited')).toEqual([expect.objectContaining({ connectionId: second.connection.id, limit: 1 })]);
      expect(server.counters.addressLimitRejections).toBe(1);
      server.closeTransport(second.connection);
      server.closeTransport(first.connection);
      expect(server.addresses.countOf('10.0.0.1')).toBe(0);
    });

    it('counts a transport refused during the drain against its address until it closes', () => {
      const server = new TestCore({ maxConnectionsPerAddress: 1 });
      const first = server.accept(new FakePeer({ ip: '10.0.0.1', port: 1 }));
      void server.drainer.drain();
      const refused = server.accept(new FakePeer({ ip: '10.0.0.1', port: 2 }));
      expect(refused.peer.closeFrame?.code).toBe(CloseCode.ServiceRestart);
      expect(server.eventsOf('address_limited')).toEqual([]);
      expect(server.addresses.countOf('10.0.0.1')).toBe(2);
      server.closeTransport(refused.connection);
      server.closeTransport(first.connection);
      expect(server.addresses.countOf('10.0.0.1')).toBe(0);
    });
  });

  describe('#receive', () => {
    it('answers invalid frames with error and closes with 4400 after maxProtocolViolations', async () => {
      const server = new TestCore({ maxProtocolViolations: 3 });
      const { connection, peer } = await server.open();
      server.router.receive(connection, 'not json');
      server.router.receive(connection, '{"type":"nope"}');
      expect(peer.framesOf('error')).toHaveLength(2);
      expect(peer.closeFrame).toBeUndefined();
      server.router.receive(connection, '{}');
      expect(peer.closeFrame).toEqual({ code: CloseCode.ProtocolViolation, reason: HeartbeatMessages.closeProtocolViolation(3) });
    });

    it('drops frames beyond rateLimit and closes with 4429 once, counted and told', async () => {
      const server = new TestCore({ rateLimit: { messagesPerSecond: 1, burst: 2 } });
      const { connection, peer } = server.accept();
      server.ping(connection, 1);
      server.ping(connection, 2);
      server.ping(connection, 3);
      server.ping(connection, 4);
      await settle();
      expect(peer.closeFrame?.code).toBe(CloseCode.RateLimited);
      expect(server.counters.rateLimitedDisconnections).toBe(1);
      expect(server.eventsOf('rate_limited')).toHaveLength(1);
    });

    it('drops the frames of a connection the server is closing, still counting them as proof of life', async () => {
      const server = new TestCore();
      const { connection, peer } = await server.open();
      connection.close(CloseCode.Kicked, 'bye');
      server.clock.advance(1_000);
      server.ping(connection, 1);
      expect(connection.lastInboundAt).toBe(server.clock.now());
      expect(peer.framesOf('pong')).toEqual([]);
    });

    it('hands a subscribe to the topics with its since and its presence flag', async () => {
      const server = new TestCore();
      const { connection } = await server.open();
      server.send(connection, { type: 'subscribe', topic: 'rooms.lobby', since: 4, presence: true });
      server.send(connection, { type: 'subscribe', topic: 'alerts' });
      expect(server.topics.calls).toEqual([
        { op: 'subscribe', id: connection.id, topic: 'rooms.lobby', since: 4, presence: true },
        { op: 'subscribe', id: connection.id, topic: 'alerts' },
      ]);
    });

    it('answers internal_error when a handler fails, logs it and keeps the connection', async () => {
      const server = new TestCore();
      const { connection, peer } = await server.open();
      server.topics.subscribe = () => {
        throw new Error('broker down');
      };
      server.send(connection, { type: 'subscribe', topic: 'alerts' });
      expect(peer.framesOf('error')).toEqual([
        { type: 'error', code: ProtocolErrorCode.InternalError, message: HeartbeatMessages.handlerFailed('subscribe'), ref: 'subscribe' },
      ]);
      expect(server.logger.at('error')).toEqual([HeartbeatMessages.logHandlerFailed('subscribe', connection.id)]);
      expect(connection.isOpen).toBe(true);
    });

    it('hands a request to the request handlers without answering it itself', async () => {
      const server = new TestCore();
      const { connection, peer } = await server.open();
      server.send(connection, { type: 'request', id: 'r-1', topic: 'alerts.ack', data: { id: 7 } });
      expect(server.requests.calls).toEqual([{ id: connection.id, frame: { type: 'request', id: 'r-1', topic: 'alerts.ack', data: { id: 7 } } }]);
      expect(peer.framesOf('error')).toEqual([]);
    });

    it('answers internal_error naming the request when the request handlers reject, and keeps the connection', async () => {
      const server = new TestCore();
      const { connection, peer } = await server.open();
      server.requests.request = () => Promise.reject(new Error('handler registry gone'));
      server.send(connection, { type: 'request', id: 'r-1', topic: 'alerts.ack', data: null });
      await settle();
      expect(peer.framesOf('error')).toEqual([
        { type: 'error', code: ProtocolErrorCode.InternalError, message: HeartbeatMessages.handlerFailed('request'), ref: 'r-1' },
      ]);
      expect(connection.isOpen).toBe(true);
    });

    it('acknowledges a message once per id and counts the duplicate', async () => {
      const server = new TestCore();
      const { connection, peer } = await server.open();
      const received: string[] = [];
      server.inbox.messages$.subscribe((message) => received.push(message.id));
      server.send(connection, { type: 'message', id: 'm-1', data: 1 });
      server.send(connection, { type: 'message', id: 'm-1', data: 1 });
      expect(peer.framesOf('ack')).toEqual([{ type: 'ack', id: 'm-1' }, { type: 'ack', id: 'm-1' }]);
      expect(received).toEqual(['m-1']);
      expect(server.counters.duplicateMessages).toBe(1);
    });
  });
});
