import { describe, expect, it } from '@jest/globals';
import { type PresenceMember, ProtocolErrorCode } from '@heartbeat/protocol';
import { Subject } from 'rxjs';
import { FakePeer } from '../../testing/fake-peer.js';
import { memoryTopicHub } from '../../testing/memory-topic-hub.js';
import { RecordingLogger } from '../../testing/recording-logger.js';
import { settle, TestCore } from '../../testing/test-core.js';
import type { CoreClock } from './clock.port.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import { MemoryPresenceManager } from './memory-presence-manager.js';
import type { PresenceChange } from './presence-manager.js';
import type { TopicHub } from './topic-hub.js';
import { TopicPattern } from './topic-pattern.js';
import { TopicPresence } from './topic-presence.js';

/** A memory manager whose store can "go away": changes are held back, and `back()` makes it ready again. */
class OutageManager extends MemoryPresenceManager {
  override readonly ready$ = new Subject<void>();
  private readonly outside = new Subject<PresenceChange>();
  away = false;
  /** A members read that fails, as a store that errs would. */
  failReads = false;
  /** While set, members reads wait for it (a slow store). */
  gate: Promise<void> | undefined;

  constructor() {
    super();
    // The store's own changes while it is away are lost, as Pub/Sub messages are during an outage.
    super.changes$.subscribe((change) => {
      if (!this.away) this.outside.next(change);
    });
  }

  override get changes$() {
    return this.outside.asObservable();
  }

  override async members(topic: string): Promise<PresenceMember[]> {
    await this.gate;
    if (this.failReads) throw new Error('store unreachable');
    return super.members(topic);
  }

  back(): void {
    this.away = false;
    this.ready$.next();
  }
}

/** Pings every second (3 missed: dead), the sweep far away; tokens are user ids. */
const OPTIONS = { pingInterval: 1_000, maxMissedPings: 3, heartbeatInterval: 60_000, heartbeatTimeout: 120_000 } as const;

/** The core with a real TopicHub and TopicPresence over memory, presence on `rooms.*` and `user.{userId}`. */
function core(manager: MemoryPresenceManager = new MemoryPresenceManager()) {
  const patterns = ['rooms.*', 'user.{userId}'].map((source) => TopicPattern.parse(source) as TopicPattern);
  const logger = new RecordingLogger();
  // The presence's clock is the core's (built with the hub, below): `since` is the core's time.
  const clock = { now: () => server.clock.now() } as CoreClock;
  const presence = new TopicPresence(manager, { patterns, clock, logger, messages: HeartbeatMessages });
  const server: TestCore<TopicHub> = new TestCore({ ...OPTIONS, verifyToken: (token) => (token ? { userId: token } : true) }, memoryTopicHub({ logger, presence })).start();
  return { server, presence, logger };
}

/** A connection of `user` (anonymous without one) that completed its handshake. */
async function connect(server: TestCore<TopicHub>, user?: string) {
  return server.open(user === undefined ? {} : { token: user }, new FakePeer());
}

/** Ada watches `rooms.lobby`'s presence; Bob is subscribed to it. */
async function lobby(server: TestCore<TopicHub>) {
  const watcher = await connect(server, 'ada');
  const bob = await connect(server, 'bob');
  server.send(watcher.connection, { type: 'subscribe', topic: 'rooms.lobby', presence: true });
  server.send(bob.connection, { type: 'subscribe', topic: 'rooms.lobby' });
  await settle();
  return { watcher, bob };
}

const member = (user: string, connections: number, since: number): PresenceMember => ({ user_id: user, connections, since });

describe('TopicPresence', () => {
  describe('#enter', () => {
    it('makes an identified subscriber a member and answers presence: true with the members right after subscribed', async () => {
      const { server } = core();
      const since = server.clock.now();
      const ada = await connect(server, 'ada');
      server.send(ada.connection, { type: 'subscribe', topic: 'rooms.lobby', presence: true });
      await settle();
      const types = ada.peer.frames.map((frame) => frame.type);
      expect(types.slice(types.indexOf('subscribed'))).toEqual(['subscribed', 'presence']);
      expect(ada.peer.framesOf('presence')).toEqual([{ type: 'presence', topic: 'rooms.lobby', members: [member('ada', 1, since)] }]);
    });

    it('tells joins (with each new connection count) and leaves to the subscribers that asked, and nothing to the others', async () => {
      const { server } = core();
      const watcher = await connect(server, 'ada');
      const plain = await connect(server, 'eve');
      server.send(watcher.connection, { type: 'subscribe', topic: 'rooms.lobby', presence: true });
      server.send(plain.connection, { type: 'subscribe', topic: 'rooms.lobby' });
      await settle();
      server.clock.advance(500);
      const joinedAt = server.clock.now();
      const bob1 = await connect(server, 'bob');
      const bob2 = await connect(server, 'bob');
      server.send(bob1.connection, { type: 'subscribe', topic: 'rooms.lobby' });
      server.send(bob2.connection, { type: 'subscribe', topic: 'rooms.lobby' });
      await settle();
      server.send(bob1.connection, { type: 'unsubscribe', topic: 'rooms.lobby' });
      server.send(bob2.connection, { type: 'unsubscribe', topic: 'rooms.lobby' });
      await settle();
      expect(watcher.peer.frames.filter((frame) => frame.type === 'join' || frame.type === 'leave')).toEqual([
        { type: 'join', topic: 'rooms.lobby', member: { user_id: 'eve', connections: 1, since: expect.any(Number) } },
        { type: 'join', topic: 'rooms.lobby', member: member('bob', 1, joinedAt) },
        { type: 'join', topic: 'rooms.lobby', member: member('bob', 2, joinedAt) },
        { type: 'join', topic: 'rooms.lobby', member: member('bob', 1, joinedAt) },
        { type: 'leave', topic: 'rooms.lobby', user_id: 'bob' },
      ]);
      expect(plain.peer.framesOf('join')).toEqual([]);
      expect(plain.peer.framesOf('presence')).toEqual([]);
    });

    it('counts an anonymous subscriber for nothing', async () => {
      const { server, presence } = core();
      const watcher = await connect(server, 'ada');
      const anonymous = await connect(server);
      server.send(watcher.connection, { type: 'subscribe', topic: 'rooms.lobby', presence: true });
      server.send(anonymous.connection, { type: 'subscribe', topic: 'rooms.lobby', presence: true });
      await settle();
      expect(await presence.members('rooms.lobby')).toEqual([member('ada', 1, server.clock.now())]);
      expect(watcher.peer.framesOf('join')).toEqual([]);
      expect(anonymous.peer.framesOf('presence')).toEqual([{ type: 'presence', topic: 'rooms.lobby', members: [member('ada', 1, server.clock.now())] }]);
    });

    it('answers presence: true on a topic without presence with presence_disabled, and subscribes all the same', async () => {
      const { server, presence } = core();
      const ada = await connect(server, 'ada');
      server.send(ada.connection, { type: 'subscribe', topic: 'alerts', presence: true });
      await settle();
      expect(ada.peer.framesOf('subscribed')).toEqual([expect.objectContaining({ topic: 'alerts' })]);
      expect(ada.peer.framesOf('error')).toEqual([
        { type: 'error', code: ProtocolErrorCode.PresenceDisabled, message: HeartbeatMessages.presenceDisabled('alerts'), ref: 'alerts' },
      ]);
      expect(await presence.members('alerts')).toEqual([]);
      await server.topics.publish('alerts', { level: 'high' });
      expect(ada.peer.framesOf('event')).toHaveLength(1);
    });

    it('keeps presence on a {userId} topic for its own user only', async () => {
      const { server, presence } = core();
      const ada = await connect(server, 'ada');
      const bob = await connect(server, 'bob');
      server.send(ada.connection, { type: 'subscribe', topic: 'user.ada', presence: true });
      server.send(bob.connection, { type: 'subscribe', topic: 'user.ada', presence: true });
      await settle();
      expect(await presence.members('user.ada')).toEqual([member('ada', 1, server.clock.now())]);
      expect(bob.peer.framesOf('error')).toEqual([expect.objectContaining({ code: ProtocolErrorCode.PresenceDisabled, ref: 'user.ada' })]);
    });

    it('sends the changes that came while its members were read after the snapshot, not before', async () => {
      const manager = new OutageManager();
      const { server } = core(manager);
      const ada = await connect(server, 'ada');
      const bob = await connect(server, 'bob');
      let open = (): void => undefined;
      manager.gate = new Promise((resolve) => (open = resolve));
      server.send(ada.connection, { type: 'subscribe', topic: 'rooms.lobby', presence: true });
      server.send(bob.connection, { type: 'subscribe', topic: 'rooms.lobby' });
      await settle();
      expect(ada.peer.framesOf('join')).toEqual([]);
      open();
      await settle();
      const types = ada.peer.frames.map((frame) => frame.type);
      expect(types.slice(types.indexOf('subscribed'))).toEqual(['subscribed', 'presence', 'join']);
      expect(ada.peer.framesOf('join')).toEqual([{ type: 'join', topic: 'rooms.lobby', member: member('bob', 1, server.clock.now()) }]);
    });

    it('sends the snapshot to a repeated subscribe that asks for presence (a resume through hello.positions), once', async () => {
      const { server } = core();
      const ada = await server.open({ token: 'ada', positions: { 'rooms.lobby': 0 } }, new FakePeer());
      server.send(ada.connection, { type: 'subscribe', topic: 'rooms.lobby', presence: true });
      server.send(ada.connection, { type: 'subscribe', topic: 'rooms.lobby', presence: true });
      await settle();
      server.send(ada.connection, { type: 'subscribe', topic: 'rooms.lobby', presence: true });
      await settle();
      const types = ada.peer.frames.map((frame) => frame.type);
      expect(types.slice(types.indexOf('subscribed'))).toEqual(['subscribed', 'subscribed', 'subscribed', 'presence', 'subscribed']);
      expect(ada.peer.framesOf('presence')).toEqual([{ type: 'presence', topic: 'rooms.lobby', members: [member('ada', 1, server.clock.now())] }]);
    });

    it('answers a failed members read with an error, logged, and keeps the subscription', async () => {
      const manager = new OutageManager();
      const { server, logger } = core(manager);
      const ada = await connect(server, 'ada');
      manager.failReads = true;
      server.send(ada.connection, { type: 'subscribe', topic: 'rooms.lobby', presence: true });
      await settle();
      expect(ada.peer.framesOf('error')).toEqual([
        { type: 'error', code: ProtocolErrorCode.InternalError, message: HeartbeatMessages.presenceUnavailable('rooms.lobby'), ref: 'rooms.lobby' },
      ]);
      expect(logger.at('error')).toEqual([HeartbeatMessages.logPresenceFailed('rooms.lobby', 'members')]);
      expect(ada.peer.framesOf('subscribed')).toHaveLength(1);
    });
  });

  describe('#exit', () => {
    it('makes a user leave when their last connection unsubscribes; unsubscribing twice changes nothing', async () => {
      const { server, presence } = core();
      const { watcher, bob } = await lobby(server);
      server.send(bob.connection, { type: 'unsubscribe', topic: 'rooms.lobby' });
      server.send(bob.connection, { type: 'unsubscribe', topic: 'rooms.lobby' });
      await settle();
      expect(watcher.peer.framesOf('leave')).toEqual([{ type: 'leave', topic: 'rooms.lobby', user_id: 'bob' }]);
      expect(await presence.members('rooms.lobby')).toEqual([member('ada', 1, server.clock.now())]);
    });
  });

  describe('#release', () => {
    it('makes a closed connection leave every topic once, in the registry’s release order', async () => {
      const { server, presence } = core();
      const { watcher, bob } = await lobby(server);
      for (const [connection, presenceWanted] of [
        [watcher.connection, true],
        [bob.connection, false],
      ] as const) {
        server.send(connection, { type: 'subscribe', topic: 'rooms.kitchen', presence: presenceWanted });
      }
      await settle();
      server.closeTransport(bob.connection);
      server.closeTransport(bob.connection);
      await settle();
      expect(watcher.peer.framesOf('leave')).toEqual([
        { type: 'leave', topic: 'rooms.lobby', user_id: 'bob' },
        { type: 'leave', topic: 'rooms.kitchen', user_id: 'bob' },
      ]);
      expect(await presence.members('rooms.kitchen')).toEqual([member('ada', 1, server.clock.now())]);
      expect(server.releases).toEqual(['pings', 'sessions', 'addresses', 'topics']);
    });

    it('makes a half-open peer leave once the missed-ping rule drops it, within (maxMissedPings + 1) × pingInterval', async () => {
      const { server } = core();
      const { watcher, bob: silent } = await lobby(server);
      const lastFrameAt = server.clock.now();
      const bound = (OPTIONS.maxMissedPings + 1) * OPTIONS.pingInterval;
      let leftAt: number | undefined;
      while (leftAt === undefined && server.clock.now() - lastFrameAt <= bound + OPTIONS.pingInterval) {
        server.clock.advance(50);
        server.pong(watcher.connection, watcher.connection.pingsSent);
        // The transport of a terminated peer reports its close, as ws does once the socket is destroyed.
        if (silent.peer.terminated && silent.connection.state !== 'closed') server.closeTransport(silent.connection);
        if (watcher.peer.framesOf('leave').length > 0) leftAt = server.clock.now();
      }
      expect(watcher.peer.framesOf('leave')).toEqual([{ type: 'leave', topic: 'rooms.lobby', user_id: 'bob' }]);
      expect((leftAt as number) - lastFrameAt).toBeGreaterThanOrEqual(OPTIONS.maxMissedPings * OPTIONS.pingInterval);
      expect((leftAt as number) - lastFrameAt).toBeLessThanOrEqual(bound + 50);
    });
  });

  describe('reconciliation', () => {
    it('tells, once the store is back, the joins and leaves its watchers missed while it was away', async () => {
      const manager = new OutageManager();
      const { server } = core(manager);
      const { watcher, bob } = await lobby(server);
      manager.away = true;
      const cleo = await connect(server, 'cleo');
      server.send(cleo.connection, { type: 'subscribe', topic: 'rooms.lobby' });
      server.send(bob.connection, { type: 'unsubscribe', topic: 'rooms.lobby' });
      await settle();
      expect(watcher.peer.frames.filter((frame) => frame.type === 'leave' || frame.type === 'join')).toEqual([
        expect.objectContaining({ type: 'join', member: expect.objectContaining({ user_id: 'bob' }) }),
      ]);
      manager.back();
      await settle();
      expect(watcher.peer.frames.filter((frame) => frame.type === 'leave' || frame.type === 'join').slice(1)).toEqual([
        { type: 'leave', topic: 'rooms.lobby', user_id: 'bob' },
        { type: 'join', topic: 'rooms.lobby', member: member('cleo', 1, server.clock.now()) },
      ]);
    });
  });
});
