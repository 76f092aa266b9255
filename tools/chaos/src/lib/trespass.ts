import type { ServerFrame, WelcomeFrame } from '@heartbeat/protocol';
import { type Closed, type MonitorServerProcess, TestClient, type TestClientOptions } from '@heartbeat/testing';
import { type Leak, leaksIn } from './leak-watch.js';
import type { ScenarioBuilder, ScenarioResult } from './report.js';
import { ADMIN_TOKEN, sleep, startServer } from './server.js';

/** The users of the security suite and their tokens (`CLIENT_TOKENS` entries `user:token`), plus a bare (anonymous) token. */
export const USERS = { alice: 'sec-alice-token', bob: 'sec-bob-token', carol: 'sec-carol-token' } as const;
export type UserName = keyof typeof USERS;
export const ANONYMOUS_TOKEN = 'sec-anonymous-token';

/** Heartbeat settings of the suite's server: a dead peer is found within seconds (the presence scenario measures it). */
export const SECURITY_HEARTBEAT = { pingInterval: 500, heartbeatInterval: 500, heartbeatTimeout: 3_000, maxMissedPings: 2 } as const;

/** One connection of the suite: whose it is, and every frame it received (nothing consumed). */
export interface Peer {
  readonly name: string;
  readonly userId: string | undefined;
  readonly client: TestClient;
  readonly welcome: WelcomeFrame;
  readonly received: ServerFrame[];
}

/**
 * A monitor server with three users and an anonymous token, and every connection the scenario
 * opened on it: at the end, each connection's frames are checked for anything of a topic its user
 * may not read (docs/server.md#topic-authorization).
 */
export class TrespassWorld {
  readonly peers: Peer[] = [];

  private constructor(readonly server: MonitorServerProcess) {}

  static async start(env: Record<string, string> = {}): Promise<TrespassWorld> {
    const server = await startServer({
      CLIENT_TOKENS: [...Object.entries(USERS).map(([user, token]) => `${user}:${token}`), ANONYMOUS_TOKEN].join(','),
      ALERT_RATE: '5',
      HEARTBEAT_PING_INTERVAL_MS: String(SECURITY_HEARTBEAT.pingInterval),
      HEARTBEAT_INTERVAL_MS: String(SECURITY_HEARTBEAT.heartbeatInterval),
      HEARTBEAT_TIMEOUT_MS: String(SECURITY_HEARTBEAT.heartbeatTimeout),
      HEARTBEAT_MAX_MISSED_PINGS: String(SECURITY_HEARTBEAT.maxMissedPings),
      ...env,
    });
    return new TrespassWorld(server);
  }

  /** A welcomed connection of `user` (undefined: the anonymous token), recording what it receives. */
  async open(user: UserName | undefined, hello: { session_id?: string; positions?: Record<string, number>; subscribe?: string[] } = {}, options: TestClientOptions & { url?: string } = {}): Promise<Peer> {
    const client = await TestClient.connect(options.url ?? this.server.wsUrl, options);
    const received: ServerFrame[] = [];
    client.socket.on('message', (data, isBinary) => {
      if (!isBinary) received.push(JSON.parse(String(data)) as ServerFrame);
    });
    const welcome = await client.hello(user === undefined ? ANONYMOUS_TOKEN : USERS[user], hello);
    const peer: Peer = { name: `${user ?? 'anonymous'}#${this.peers.length + 1}`, userId: welcome.user_id, client, welcome, received };
    this.peers.push(peer);
    return peer;
  }

  /** A welcomed connection of `user` subscribed to `topic` (its `subscribed` arrived). */
  async subscribed(user: UserName, topic: string): Promise<Peer> {
    const peer = await this.open(user);
    peer.client.send({ type: 'subscribe', topic });
    await peer.client.next('subscribed', 5_000, (frame) => frame.topic === topic);
    return peer;
  }

  /** Publishes through the admin API (`POST /api/heartbeat/topics/:topic/events`); the answer's status and body. */
  async publish(topic: string, data: unknown, token: string = ADMIN_TOKEN): Promise<{ status: number; body: unknown }> {
    return this.http('POST', `/api/heartbeat/topics/${encodeURIComponent(topic)}/events`, token, data);
  }

  async http(method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.server.url}${path}`, {
      method,
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: the text itself.
    }
    return { status: response.status, body: parsed };
  }

  /** Frames of topics their connection's user may not read, over every connection of the scenario. */
  leaks(): Leak[] {
    return this.peers.flatMap((peer) => leaksIn(peer.name, peer.userId, peer.received));
  }

  async close(): Promise<void> {
    for (const peer of this.peers) peer.client.socket.terminate();
    await this.server.kill();
  }
}

/**
 * Runs a scenario's attacks on a fresh world, then checks every connection it opened for frames of
 * topics its user may not read; a failure stops the attacks, and the world is closed either way.
 */
export async function inWorld(s: ScenarioBuilder, attacks: (world: TrespassWorld) => Promise<void>, env: Record<string, string> = {}): Promise<ScenarioResult> {
  const world = await TrespassWorld.start(env);
  try {
    await attacks(world);
    const leaks = world.leaks();
    s.check('nothing leaked to any connection', leaks.length === 0, describeLeaks(leaks));
    s.data.leaks = leaks;
  } catch (error) {
    s.fail(error);
  } finally {
    await world.close();
  }
  return s.result();
}

/** How the server closed the client's connection, if it did within `timeoutMs`; undefined when it is still open. */
export function closedWithin(client: TestClient, timeoutMs: number): Promise<Closed | undefined> {
  return Promise.race([client.closed, sleep(timeoutMs).then(() => undefined)]);
}

/** The frames a peer received after index `from`, of one type and topic. */
export function framesOf(peer: Peer, type: string, topic: string, from = 0): ServerFrame[] {
  return peer.received.slice(from).filter((frame) => frame.type === type && (frame as { topic?: string }).topic === topic);
}

/** The `error` frames a peer received after index `from`, answering `ref`. */
export function errorsFor(peer: Peer, ref: string, from = 0): ServerFrame[] {
  return peer.received.slice(from).filter((frame) => frame.type === 'error' && frame.ref === ref);
}

/** How many leaks, and the first few named: a check's detail. */
export function describeLeaks(leaks: readonly Leak[]): string {
  if (leaks.length === 0) return 'no connection received a frame of a topic its user may not read';
  return `${leaks.length} frame(s) leaked, e.g. ${leaks
    .slice(0, 3)
    .map((leak) => `${leak.type} of ${leak.topic} to ${leak.connection}`)
    .join('; ')}`;
}
