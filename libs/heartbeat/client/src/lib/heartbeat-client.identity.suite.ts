import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  HeartbeatHandler,
  HeartbeatModule,
  type HeartbeatRedisOptions,
  type HeartbeatRequestContext,
  HeartbeatService,
  HeartbeatWsAdapter,
  type TokenVerdict,
} from '@heartbeat/nest';
import { CloseCode, type PresenceMember } from '@heartbeat/protocol';
import { eventually } from '@heartbeat/testing';
import { type INestApplication, Injectable, ValidationPipe } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WsException } from '@nestjs/websockets';
import { IsInt, Min } from 'class-validator';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, type Observable, type Subscription } from 'rxjs';
import { WebSocket } from 'ws';
import type { HeartbeatClientEventMap, ServerMessage, TopicEvent } from './client-events.js';
import type { TokenProvider } from './client-options.js';
import { HeartbeatClient } from './heartbeat-client.js';
import { HeartbeatRequestError } from './heartbeat-request-error.js';
import { HeartbeatSendError } from './heartbeat-send-error.js';
import { HeartbeatTopicError } from './heartbeat-topic-error.js';
import { withOutbox } from './outbox.feature.js';
import { withPresence } from './presence.feature.js';
import { withRequests } from './requests.feature.js';
import { withTokenRefresh } from './token-refresh.feature.js';

/**
 * Issue 13 end to end: the real HeartbeatClient against real in-process Nest servers built with
 * @heartbeat/nest: identity from verifyToken, topic rules (a claim among them), presence, request
 * handlers through Nest's pipes and exceptions, publishToUser, join and sendToConnection. Run on one
 * node in memory (heartbeat-client.identity.integration.spec.ts) and on two nodes sharing a Redis
 * (heartbeat-client.identity.redis.spec.ts).
 */

/** Where the suite runs: `nodes` servers, in Redis mode when `redis()` gives their shared options. */
export interface IdentitySuiteCluster {
  readonly name: string;
  readonly nodes: number;
  readonly redis?: () => HeartbeatRedisOptions;
}

/** How long `alice-expiring` lasts: the client refreshes it 5 s before expiry, so about half a second after connecting. */
const EXPIRING_TOKEN_MS = 5_500;

const TOKENS: Record<string, () => TokenVerdict> = {
  'alice-token': () => ({ userId: 'alice', claims: { role: 'admin' } }),
  'alice-expiring': () => ({ userId: 'alice', claims: { role: 'admin' }, expiresAt: Date.now() + EXPIRING_TOKEN_MS }),
  'alice-viewer': () => ({ userId: 'alice', claims: { role: 'viewer' } }),
  'bob-token': () => ({ userId: 'bob' }),
  'kiosk-token': () => true,
};

class AckDto {
  @IsInt()
  @Min(1)
  id!: number;
}

/** A promise the test settles by hand: a handler that must still be running when the connection goes. */
class Gate {
  open!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.open = resolve));
}

@Injectable()
class TestHandlers {
  readonly never = new Gate();

  constructor(private readonly heartbeat: HeartbeatService) {}

  @HeartbeatHandler('rpc.whoami')
  whoami(data: unknown, context: HeartbeatRequestContext): { connectionId: string; userId: string | undefined; claims: unknown; data: unknown } {
    return { connectionId: context.connectionId, userId: context.userId, claims: context.claims, data };
  }

  @HeartbeatHandler('rpc.nothing')
  nothing(): void {
    return undefined;
  }

  @HeartbeatHandler('rpc.refuse')
  refuse(): never {
    throw new WsException({ message: 'Alert 7 is closed.', alertId: 7 });
  }

  @HeartbeatHandler('rpc.ack')
  ack(data: AckDto): { acknowledged: number } {
    return { acknowledged: data.id };
  }

  @HeartbeatHandler('rpc.slow')
  async slow(): Promise<string> {
    await this.never.opened;
    return 'late';
  }

  /** Closes its own connection (as a link that breaks would) and does not answer before that. */
  @HeartbeatHandler('rpc.cut')
  async cut(_data: unknown, context: HeartbeatRequestContext): Promise<string> {
    await this.heartbeat.disconnect(context.connectionId, CloseCode.ServiceRestart, 'cut by the test');
    return 'too late';
  }
}

interface TestServer {
  app: INestApplication;
  heartbeat: HeartbeatService;
  handlers: TestHandlers;
  url: string;
}

async function startServer(redis: HeartbeatRedisOptions | undefined): Promise<TestServer> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      HeartbeatModule.forRoot({
        verifyToken: (token) => (token !== undefined && token in TOKENS ? TOKENS[token]!() : false),
        authorize: [
          { topic: 'rooms.*', actions: ['subscribe'], allow: 'authenticated' },
          { topic: 'reports.*', actions: ['subscribe'], allow: { claim: 'role', equals: 'admin' } },
          { topic: 'rpc.*', actions: ['publish'], allow: 'authenticated' },
        ],
        presence: ['rooms.*'],
        redis,
      }),
    ],
    providers: [TestHandlers],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useWebSocketAdapter(new HeartbeatWsAdapter(app));
  app.useGlobalPipes(new ValidationPipe());
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, heartbeat: app.get(HeartbeatService), handlers: app.get(TestHandlers), url: `ws://127.0.0.1:${port}/ws` };
}

/** The error a promise rejected with (fails the test if it resolved). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

/** Collects an Observable's values and how it ended. */
class Recorded<T> {
  readonly values: T[] = [];
  error: unknown = undefined;
  completed = false;
  private readonly subscription: Subscription;

  constructor(source: Observable<T>) {
    this.subscription = source.subscribe({
      next: (value) => this.values.push(value),
      error: (error: unknown) => (this.error = error),
      complete: () => (this.completed = true),
    });
  }

  get ended(): boolean {
    return this.error !== undefined || this.completed;
  }

  get last(): T | undefined {
    return this.values.at(-1);
  }

  unsubscribe(): void {
    this.subscription.unsubscribe();
  }
}

const usersOf = (members: readonly PresenceMember[] | undefined) => (members ?? []).map((member) => member.user_id).sort();

/** The suite, on `cluster`. Clients take the nodes in turn, so that in a cluster each test's clients are spread over them. */
export function identitySuite(cluster: IdentitySuiteCluster): void {
  describe(`HeartbeatClient against @heartbeat/nest with identity, rules, presence and handlers (${cluster.name})`, () => {
    /** The first node: the one the tests publish, join and disconnect through (each reaches every node). */
    let server: TestServer;
    const nodes: TestServer[] = [];
    const clients: HeartbeatClient[] = [];
    const recorded: Recorded<unknown>[] = [];

    const client = (token: string | TokenProvider, requestTimeout?: number): HeartbeatClient => {
      const created = new HeartbeatClient({
        url: nodes[clients.length % nodes.length]!.url,
        webSocket: WebSocket,
        token,
        reconnectInterval: 100,
        maxReconnectInterval: 500,
        jitter: 0,
        features: [withOutbox(), withRequests(requestTimeout === undefined ? {} : { timeout: requestTimeout }), withTokenRefresh(), withPresence()],
      });
      clients.push(created);
      return created;
    };

    const connected = async (token: string | TokenProvider): Promise<HeartbeatClient> => {
      const created = client(token);
      await created.connect();
      return created;
    };

    const record = <T>(source: Observable<T>): Recorded<T> => {
      const recording = new Recorded(source);
      recorded.push(recording as Recorded<unknown>);
      return recording;
    };

    /** Attaches to the first topic the server joins `of` to, in the `joined` handler as docs/client.md shows: the event that joined it included. */
    const attachOnJoin = <T>(of: HeartbeatClient): Promise<Recorded<TopicEvent<T>>> =>
      new Promise((resolve) => {
        const stop = of.on('joined', ({ topic }) => {
          stop();
          resolve(record(of.subscribe<T>(topic)));
        });
      });

    /**
     * Publishes `{n: 1}`, `{n: 2}`, … until `stream` has an event, and waits for the last: a fresh subscription is live then (the client shows
     * no `subscribed`, and in Redis mode a node's first subscriber of a topic may start after an event published right
     * after its subscribe was received).
     */
    const publishUntilLive = async (stream: Recorded<TopicEvent>, publish: (data: { n: number }) => Promise<unknown>): Promise<void> => {
      let n = 0;
      await eventually(async () => (await publish({ n: ++n })) && stream.values.length > 0, 'a first event');
      // Events come in order: once the last one published is in, none is still on its way.
      await eventually(() => (stream.last?.data as { n: number }).n === n, 'the last event published');
    };

    /** Each seq one more than the one before: nothing lost, nothing twice. */
    const consecutive = (events: readonly TopicEvent[]) => events.every((event, i) => i === 0 || event.seq === events[i - 1]!.seq + 1);

    /** The server's id of a client's current connection, asked of the server. */
    const connectionIdOf = async (of: HeartbeatClient): Promise<string> =>
      (await of.request<{ connectionId: string }>('rpc.whoami', null)).connectionId;

    /** Cuts a client's connection from the server side (1012: the client reconnects) and waits for the new `welcome`. */
    const reconnect = async (of: HeartbeatClient): Promise<void> => {
      const established = firstValueFrom(of.events('connection_established'));
      expect(await server.heartbeat.disconnect(await connectionIdOf(of), CloseCode.ServiceRestart, 'restart')).toBe(true);
      expect(await established).toMatchObject({ reconnect: true });
    };

    beforeAll(async () => {
      const redis = cluster.redis?.();
      for (let node = 0; node < cluster.nodes; node++) nodes.push(await startServer(redis));
      server = nodes[0]!;
    });

    afterEach(() => {
      for (const recording of recorded.splice(0)) recording.unsubscribe();
      for (const created of clients.splice(0)) created.destroy();
    });

    afterAll(async () => {
      for (const node of nodes) {
        node.handlers.never.open();
        await node.app.close();
      }
    });

    describe('identity', () => {
      it("takes state.userId from the welcome, null for no user, and hands the handler the token's user and claims", async () => {
        const alice = await connected('alice-token');
        expect(alice.state.userId).toBe('alice');
        const answer = await alice.request('rpc.whoami', { n: 1 });
        expect(answer).toEqual({ connectionId: expect.any(String), userId: 'alice', claims: { role: 'admin' }, data: { n: 1 } });
        const kiosk = await connected('kiosk-token');
        expect(kiosk.state.userId).toBeNull();
        await expect(rejectionOf(kiosk.request('rpc.whoami', null))).resolves.toMatchObject({ name: 'HeartbeatRequestError', code: 'forbidden' });
      });
    });

    describe('request()', () => {
      it('resolves with the handler result', async () => {
        const bob = await connected('bob-token');
        await expect(bob.request('rpc.ack', { id: 3 })).resolves.toEqual({ acknowledged: 3 });
      });

      it("rejects with the handler's WsException as request_failed, with what it carried", async () => {
        const bob = await connected('bob-token');
        const error = await rejectionOf(bob.request('rpc.refuse', null));
        expect(error).toBeInstanceOf(HeartbeatRequestError);
        expect(error).toMatchObject({ code: 'request_failed', message: expect.stringContaining('Alert 7 is closed.'), details: { alertId: 7 } });
        expect(bob.state.status).toBe('connected');
      });

      it("rejects with invalid_request and the ValidationPipe's reasons", async () => {
        const bob = await connected('bob-token');
        const error = await rejectionOf(bob.request('rpc.ack', { id: 0 }));
        expect(error).toBeInstanceOf(HeartbeatRequestError);
        expect(error).toMatchObject({ code: 'invalid_request', details: expect.arrayContaining([expect.stringMatching(/id must not be less than 1/)]) });
      });

      it('rejects with no_handler for an allowed topic without handler, and forbidden for a topic the rules refuse', async () => {
        const bob = await connected('bob-token');
        await expect(rejectionOf(bob.request('rpc.missing', null))).resolves.toMatchObject({ name: 'HeartbeatRequestError', code: 'no_handler' });
        await expect(rejectionOf(bob.request('admin.shutdown', null))).resolves.toMatchObject({ name: 'HeartbeatRequestError', code: 'forbidden' });
        await expect(bob.request('rpc.ack', { id: 1 })).resolves.toEqual({ acknowledged: 1 });
      });

      it('rejects with timeout when the handler does not answer in time', async () => {
        const bob = await connected('bob-token');
        const error = await rejectionOf(bob.request('rpc.slow', null, { timeout: 300 }));
        expect(error).toBeInstanceOf(HeartbeatRequestError);
        expect(error).toMatchObject({ code: 'timeout' });
        expect(bob.state.status).toBe('connected');
      });

      it('rejects with connection_lost when the connection ends before the answer, and works again after the reconnect', async () => {
        const bob = await connected('bob-token');
        const error = await rejectionOf(bob.request('rpc.cut', null));
        expect(error).toBeInstanceOf(HeartbeatRequestError);
        expect(error).toMatchObject({ code: 'connection_lost' });
        await expect(bob.request('rpc.ack', { id: 2 })).resolves.toEqual({ acknowledged: 2 });
        expect(bob.state.reconnectCount).toBeGreaterThanOrEqual(1);
      });
    });

    describe('presence$()', () => {
      it("gets the snapshot, another user's join and leave, and the list after a reconnect", async () => {
        const alice = await connected('alice-token');
        const members = record(alice.presence$('rooms.lobby'));
        await eventually(() => usersOf(members.last).join() === 'alice', 'the snapshot with alice');

        const bob = await connected('bob-token');
        const bobsEvents = record(bob.presence$('rooms.lobby'));
        await eventually(() => usersOf(members.last).join() === 'alice,bob', "bob's join");
        await eventually(() => usersOf(bobsEvents.last).join() === 'alice,bob', "bob's own snapshot");

        bob.destroy();
        await eventually(() => usersOf(members.last).join() === 'alice', "bob's leave");

        const bob2 = await connected('bob-token');
        record(bob2.subscribe('rooms.lobby'));
        await eventually(() => usersOf(members.last).join() === 'alice,bob', "bob's second join");
        const before = members.values.length;
        await reconnect(alice);
        await eventually(() => members.values.length > before, 'the snapshot after the reconnect');
        expect(usersOf(members.last)).toEqual(['alice', 'bob']);
        expect(members.last!.find((member) => member.user_id === 'alice')).toMatchObject({ connections: 1 });
        expect(members.ended).toBe(false);
      });

      it('replaces the list after a reconnect: a member who left while the link was down is gone', async () => {
        const alice = await connected('alice-token');
        const members = record(alice.presence$('rooms.cafe'));
        const bob = await connected('bob-token');
        record(bob.subscribe('rooms.cafe'));
        await eventually(() => usersOf(members.last).join() === 'alice,bob', "bob's join");

        alice.disableAutoReconnect();
        const lost = firstValueFrom(alice.events('connection_lost'));
        await server.heartbeat.disconnect(await connectionIdOf(alice), CloseCode.ServiceRestart, 'away');
        await lost;
        bob.destroy();
        await eventually(async () => usersOf(await server.heartbeat.presence('rooms.cafe')).length === 0, 'an empty cafe on the server');
        expect(usersOf(members.last)).toEqual(['alice', 'bob']);

        alice.enableAutoReconnect();
        await alice.connect();
        await eventually(() => usersOf(members.last).join() === 'alice', 'the snapshot without bob');
        expect(members.ended).toBe(false);
      });

      it('asks for presence again when presence$() comes after a plain subscribe, and the events go on', async () => {
        const alice = await connected('alice-token');
        const events = record(alice.subscribe('rooms.kitchen'));
        await publishUntilLive(events, (data) => server.heartbeat.publish('rooms.kitchen', data));
        const before = events.values.length;
        const members = record(alice.presence$('rooms.kitchen'));
        await eventually(() => usersOf(members.last).join() === 'alice', 'the snapshot of the repeated subscribe');
        await server.heartbeat.publish('rooms.kitchen', { last: true });
        await eventually(() => events.values.length === before + 1, 'the event after presence$()');
        expect(events.values.at(-1)!.data).toEqual({ last: true });
        expect(consecutive(events.values)).toBe(true);

        const bob = await connected('bob-token');
        record(bob.subscribe('rooms.kitchen'));
        await eventually(() => usersOf(members.last).join() === 'alice,bob', "bob's join");
        expect(events.ended || members.ended).toBe(false);
      });

      it('gets the snapshot when presence$() follows subscribe() before its answer (a repeat while subscribing)', async () => {
        const alice = await connected('alice-token');
        const events = record(alice.subscribe<{ n: number }>('rooms.porch'));
        const members = record(alice.presence$('rooms.porch'));
        await eventually(() => usersOf(members.last).join() === 'alice', 'the snapshot');
        await server.heartbeat.publish('rooms.porch', { n: 1 });
        await eventually(() => events.values.length === 1, 'the event');
        expect(events.values.map((event) => event.data)).toEqual([{ n: 1 }]);
      });

      it('ends up subscribed once after subscribe, unsubscribe and subscribe in a row', async () => {
        const alice = await connected('alice-token');
        const joined: string[] = [];
        alice.on('joined', ({ topic }) => joined.push(topic));
        record(alice.subscribe('rooms.attic')).unsubscribe();
        const events = record(alice.subscribe('rooms.attic'));
        await publishUntilLive(events, (data) => server.heartbeat.publish('rooms.attic', data));
        const before = events.values.length;
        await server.heartbeat.publish('rooms.attic', { last: true });
        await eventually(() => events.values.length === before + 1, 'the next event');
        expect(consecutive(events.values)).toBe(true);
        expect(joined).toEqual([]);
        expect(alice.state.status).toBe('connected');
      });

      it('errors presence$() alone with presence_disabled on a topic without presence; its events go on', async () => {
        const alice = await connected('alice-token');
        const events = record(alice.subscribe('reports.weekly'));
        const members = record(alice.presence$('reports.weekly'));
        await eventually(() => members.ended, 'the presence refusal');
        expect(members.error).toBeInstanceOf(HeartbeatTopicError);
        expect(members.error).toMatchObject({ code: 'presence_disabled', topic: 'reports.weekly' });
        await server.heartbeat.publish('reports.weekly', { n: 1 });
        await eventually(() => events.values.length === 1, 'the event after the presence refusal');
        expect(events.ended).toBe(false);
      });
    });

    describe('refusals', () => {
      it('errors a refused subscribe with HeartbeatTopicError forbidden; the connection stays up', async () => {
        const bob = await connected('bob-token');
        const events = record(bob.subscribe('reports.daily'));
        await eventually(() => events.ended, 'the refusal');
        expect(events.error).toBeInstanceOf(HeartbeatTopicError);
        expect(events.error).toMatchObject({ code: 'forbidden', topic: 'reports.daily' });
        expect(bob.state.status).toBe('connected');
        await expect(bob.request('rpc.ack', { id: 4 })).resolves.toEqual({ acknowledged: 4 });

        const members = record(bob.presence$('reports.daily'));
        await eventually(() => members.ended, 'the refusal of presence$()');
        expect(members.error).toMatchObject({ name: 'HeartbeatTopicError', code: 'forbidden', topic: 'reports.daily' });

        const kiosk = await connected('kiosk-token');
        const lobby = record(kiosk.subscribe('rooms.lobby'));
        await eventually(() => lobby.ended, 'the refusal of an anonymous client');
        expect(lobby.error).toMatchObject({ name: 'HeartbeatTopicError', code: 'forbidden', topic: 'rooms.lobby' });
      });

      it('errors the Observables of a topic the refreshed token no longer allows, and emits unsubscribed', async () => {
        let issued = 0;
        const alice = client(() => (++issued === 1 ? 'alice-expiring' : 'alice-viewer'));
        const unsubscribed: HeartbeatClientEventMap['unsubscribed'][] = [];
        alice.on('unsubscribed', (event) => unsubscribed.push(event));
        await alice.connect();
        const reports = record(alice.subscribe('reports.daily'));
        const lobby = record(alice.subscribe('rooms.lobby'));
        // The admin may read reports: an event arrives before the refresh.
        await publishUntilLive(reports, (data) => server.heartbeat.publish('reports.daily', data));
        await publishUntilLive(lobby, (data) => server.heartbeat.publish('rooms.lobby', data));

        await eventually(() => reports.ended, 'the end of reports.daily after the refresh', 10_000);
        expect(issued).toBeGreaterThanOrEqual(2);
        expect(reports.error).toBeInstanceOf(HeartbeatTopicError);
        expect(reports.error).toMatchObject({ code: 'forbidden', topic: 'reports.daily' });
        expect(unsubscribed).toEqual([{ topic: 'reports.daily', reason: 'forbidden' }]);
        expect(alice.state.status).toBe('connected');

        await server.heartbeat.publish('rooms.lobby', { still: 'here' });
        await eventually(() => (lobby.last?.data as { still?: string }).still === 'here', 'the lobby event after the refresh');
        expect(consecutive(lobby.values)).toBe(true);
        expect(lobby.ended).toBe(false);
      }, 15_000);
    });

    describe('targeted delivery', () => {
      it("publishToUser reaches both of a user's clients, joined by the server, and again after a reconnect by their positions", async () => {
        const first = await connected('alice-token');
        const second = await connected('alice-token');
        const bob = await connected('bob-token');
        const bobJoined: string[] = [];
        bob.on('joined', ({ topic }) => bobJoined.push(topic));
        const inboxes = [attachOnJoin<{ n: number }>(first), attachOnJoin<{ n: number }>(second)];

        await server.heartbeat.publishToUser('alice', 'inbox', { n: 1 });
        const streams = await Promise.all(inboxes);
        for (const stream of streams) await eventually(() => stream.values.length === 1, 'the first inbox event');
        await server.heartbeat.publishToUser('alice', 'inbox', { n: 2 });
        for (const stream of streams) await eventually(() => stream.values.length === 2, 'the second inbox event');

        await reconnect(first);
        await server.heartbeat.publishToUser('alice', 'inbox', { n: 3 });
        for (const stream of streams) await eventually(() => stream.values.length === 3, 'the inbox event after the reconnect');
        for (const stream of streams) {
          expect(stream.values.map((event) => event.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
          expect(stream.values.map((event) => event.topic)).toEqual(['inbox#alice', 'inbox#alice', 'inbox#alice']);
          expect(stream.values[2]!.seq).toBe(stream.values[0]!.seq + 2);
          expect(stream.ended).toBe(false);
        }
        expect(bobJoined).toEqual([]);
      });

      it('publishToUser while a client is away is replayed to it after the reconnect', async () => {
        const alice = await connected('alice-token');
        const attached = attachOnJoin<{ n: number }>(alice);
        await server.heartbeat.publishToUser('alice', 'alerts', { n: 1 });
        const stream = await attached;
        await eventually(() => stream.values.length === 1, 'the first alert');

        const lost = firstValueFrom(alice.events('connection_lost'));
        alice.disableAutoReconnect();
        await server.heartbeat.disconnect(await connectionIdOf(alice), CloseCode.ServiceRestart, 'away');
        await lost;
        await server.heartbeat.publishToUser('alice', 'alerts', { n: 2 });
        alice.enableAutoReconnect();
        await alice.connect();
        await eventually(() => stream.values.length === 2, 'the alert sent while away');
        expect(stream.values.map((event) => event.data)).toEqual([{ n: 1 }, { n: 2 }]);
      });

      it('refuses on resume a topic joined past the rules (docs/server.md#targeted-delivery): its Observable errors forbidden', async () => {
        const bob = await connected('bob-token');
        const attached = attachOnJoin(bob);
        expect(await server.heartbeat.join(await connectionIdOf(bob), 'ops.incident-42')).toBe(true);
        const stream = await attached;
        await server.heartbeat.publish('ops.incident-42', { n: 1 });
        await eventually(() => stream.values.length === 1, 'the event of the joined topic');
        await reconnect(bob);
        await eventually(() => stream.ended, 'the refusal on resume');
        expect(stream.error).toMatchObject({ name: 'HeartbeatTopicError', code: 'forbidden', topic: 'ops.incident-42' });
      });

      it('sendToConnection arrives on messages$ of that connection alone', async () => {
        const alice = await connected('alice-token');
        const bob = await connected('bob-token');
        const alices: ServerMessage[] = [];
        const bobs: ServerMessage[] = [];
        alice.messages$.subscribe((message) => alices.push(message));
        bob.messages$.subscribe((message) => bobs.push(message));

        expect(await server.heartbeat.sendToConnection(await connectionIdOf(alice), 'notice', { text: 'hi' })).toBe(true);
        await eventually(() => alices.length === 1, 'the message');
        expect(alices).toEqual([{ topic: 'notice', data: { text: 'hi' }, timestamp: expect.any(String) }]);
        expect(await server.heartbeat.sendToConnection(await connectionIdOf(bob), 'notice', { text: 'bob' })).toBe(true);
        await eventually(() => bobs.length === 1, "bob's message");
        expect(alices).toHaveLength(1);
      });

      it('join() subscribes a connection from the server: a joined event, then the events by subscribe(topic)', async () => {
        const bob = await connected('bob-token');
        const joined = firstValueFrom(bob.events('joined'));
        expect(await server.heartbeat.join(await connectionIdOf(bob), 'rooms.ops')).toBe(true);
        expect(await joined).toEqual({ topic: 'rooms.ops' });
        const stream = record(bob.subscribe('rooms.ops'));
        await server.heartbeat.publish('rooms.ops', { n: 1 });
        await eventually(() => stream.values.length === 1, 'the event of the joined topic');
        expect(stream.values[0]).toMatchObject({ topic: 'rooms.ops', data: { n: 1 } });

        const unsubscribed = firstValueFrom(bob.events('unsubscribed'));
        expect(await server.heartbeat.leave(await connectionIdOf(bob), 'rooms.ops')).toBe(true);
        expect(await unsubscribed).toEqual({ topic: 'rooms.ops', reason: 'removed' });
        await eventually(() => stream.completed, 'the completion on leave');
      });
    });

    describe('edge cases between the two sides', () => {
      it("rejects a send() on a topic the rules refuse with refused, and acknowledges one they allow", async () => {
        const bob = await connected('bob-token');
        const error = await rejectionOf(bob.send('admin.note', { text: 'hi' }));
        expect(error).toBeInstanceOf(HeartbeatSendError);
        expect(error).toMatchObject({ code: 'refused' });
        await expect(bob.send('rpc.note', { text: 'hi' })).resolves.toBeUndefined();
        expect(bob.state).toMatchObject({ status: 'connected', pendingMessages: 0 });
      });

      it('resolves a request() made before connect() once the connection is up', async () => {
        const bob = client('bob-token');
        const answer = bob.request('rpc.ack', { id: 9 });
        await bob.connect();
        await expect(answer).resolves.toEqual({ acknowledged: 9 });
      });

      it('shows a presence$() that comes back the members who joined while nobody observed presence', async () => {
        const alice = await connected('alice-token');
        const events = record(alice.subscribe('rooms.hall'));
        const first = record(alice.presence$('rooms.hall'));
        await eventually(() => usersOf(first.last).join() === 'alice', 'the first snapshot');
        first.unsubscribe();

        const bob = await connected('bob-token');
        record(bob.subscribe('rooms.hall'));
        await eventually(async () => usersOf(await server.heartbeat.presence('rooms.hall')).join() === 'alice,bob', "bob's membership on the server");
        const second = record(alice.presence$('rooms.hall'));
        await eventually(() => usersOf(second.last).join() === 'alice,bob', 'the members with bob');
        expect(events.ended || second.ended).toBe(false);
      });

      it("counts a user's connections without a leave while one of them stays", async () => {
        const bob = await connected('bob-token');
        const members = record(bob.presence$('rooms.den'));
        const alice1 = await connected('alice-token');
        const alice2 = await connected('alice-token');
        record(alice1.subscribe('rooms.den'));
        record(alice2.subscribe('rooms.den'));
        await eventually(async () => (await server.heartbeat.presence('rooms.den')).find((member) => member.user_id === 'alice')?.connections === 2, 'two connections of alice');
        await eventually(() => usersOf(members.last).join() === 'alice,bob', "alice's join");
        alice1.destroy();
        await eventually(async () => (await server.heartbeat.presence('rooms.den')).find((member) => member.user_id === 'alice')?.connections === 1, 'one connection of alice');
        expect(usersOf(members.last)).toEqual(['alice', 'bob']);
        alice2.destroy();
        await eventually(() => usersOf(members.last).join() === 'bob', "alice's leave");
      });

      it('errors presence$() as well when a refreshed token no longer allows its topic', async () => {
        let issued = 0;
        const alice = client(() => (++issued === 1 ? 'alice-expiring' : 'alice-viewer'));
        await alice.connect();
        const events = record(alice.subscribe('reports.monthly'));
        const unsubscribed = firstValueFrom(alice.events('unsubscribed'));
        expect(await unsubscribed).toEqual({ topic: 'reports.monthly', reason: 'forbidden' });
        expect(events.error).toMatchObject({ name: 'HeartbeatTopicError', code: 'forbidden', topic: 'reports.monthly' });
        // Subscribing again with the viewer's token is refused, not answered with the old subscription.
        const again = record(alice.subscribe('reports.monthly'));
        await eventually(() => again.ended, 'the refusal of the new subscribe');
        expect(again.error).toMatchObject({ name: 'HeartbeatTopicError', code: 'forbidden' });
      }, 15_000);

      it("lets a user subscribe to their own user topic and refuses another user's", async () => {
        const alice = await connected('alice-token');
        const joined: string[] = [];
        alice.on('joined', ({ topic }) => joined.push(topic));
        const own = record(alice.subscribe<{ n: number }>('inbox#alice'));
        const other = record(alice.subscribe('inbox#bob'));
        await eventually(() => other.ended, "the refusal of bob's topic");
        expect(other.error).toMatchObject({ name: 'HeartbeatTopicError', code: 'forbidden', topic: 'inbox#bob' });
        await publishUntilLive(own, (data) => server.heartbeat.publishToUser('alice', 'inbox', data));
        const before = own.values.length;
        await server.heartbeat.publishToUser('alice', 'inbox', { n: 0 });
        await eventually(() => own.values.length === before + 1, 'the next inbox event');
        expect(consecutive(own.values)).toBe(true);
        expect(joined).toEqual([]);
        expect(own.ended).toBe(false);
      });

      it('keeps the position of a joined topic nobody observes yet across a reconnect, then delivers what follows', async () => {
        const alice = await connected('alice-token');
        const joined = firstValueFrom(alice.events('joined'));
        await server.heartbeat.publishToUser('alice', 'tasks', { n: 1 });
        await joined;
        await reconnect(alice);
        const stream = record(alice.subscribe<{ n: number }>('tasks#alice'));
        await server.heartbeat.publishToUser('alice', 'tasks', { n: 2 });
        await eventually(() => stream.values.length > 0, 'the task after the reconnect');
        expect(stream.values.map((event) => event.data)).toEqual([{ n: 2 }]);
      });

      it('resolves a request whose handler returns nothing with null', async () => {
        const bob = await connected('bob-token');
        await expect(bob.request('rpc.nothing', null)).resolves.toBeNull();
      });

      it('errors a resumed topic that the token of the reconnect no longer allows', async () => {
        let issued = 0;
        const alice = client(() => (++issued === 1 ? 'alice-token' : 'alice-viewer'));
        await alice.connect();
        const reports = record(alice.subscribe('reports.quarterly'));
        await publishUntilLive(reports, (data) => server.heartbeat.publish('reports.quarterly', data));
        await reconnect(alice);
        await eventually(() => reports.ended, 'the refusal of the resumed topic');
        expect(reports.error).toMatchObject({ name: 'HeartbeatTopicError', code: 'forbidden', topic: 'reports.quarterly' });
        expect(alice.state.status).toBe('connected');
      });

      it('join() of a topic the client subscribed itself changes nothing; leave() completes its presence$() too', async () => {
        const alice = await connected('alice-token');
        const joined: string[] = [];
        alice.on('joined', ({ topic }) => joined.push(topic));
        const events = record(alice.subscribe<{ n: number }>('rooms.patio'));
        const members = record(alice.presence$('rooms.patio'));
        await eventually(() => usersOf(members.last).join() === 'alice', 'the snapshot');
        expect(await server.heartbeat.join(await connectionIdOf(alice), 'rooms.patio')).toBe(true);
        await server.heartbeat.publish('rooms.patio', { n: 1 });
        await eventually(() => events.values.length === 1, 'the event');
        await server.heartbeat.publish('rooms.patio', { n: 2 });
        await eventually(() => events.values.length === 2, 'the second event');
        expect(events.values.map((event) => event.data.n)).toEqual([1, 2]);
        expect(joined).toEqual([]);

        expect(await server.heartbeat.leave(await connectionIdOf(alice), 'rooms.patio')).toBe(true);
        await eventually(() => events.completed && members.completed, 'the completion of both');
        expect(usersOf(await server.heartbeat.presence('rooms.patio'))).toEqual([]);
      });
    });
  });
}
