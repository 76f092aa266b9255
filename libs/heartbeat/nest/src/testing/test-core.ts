import type { HelloFrame, RequestFrame } from '@heartbeat/protocol';
import { AddressConnectionLimiter } from '../lib/core/address-connection-limiter.js';
import { ConnectionDrainer } from '../lib/core/connection-drainer.js';
import { ConnectionRegistry } from '../lib/core/connection-registry.js';
import { FrameRateLimiter } from '../lib/core/frame-rate-limiter.js';
import { FrameRouter } from '../lib/core/frame-router.js';
import { HandshakeService } from '../lib/core/handshake.service.js';
import type { HeartbeatConnection } from '../lib/core/heartbeat-connection.js';
import { HeartbeatCounters } from '../lib/core/heartbeat-counters.js';
import type { HeartbeatLifecycleEvent } from '../lib/core/heartbeat-events.js';
import type { HeartbeatModuleOptions, ResolvedHeartbeatOptions } from '../lib/core/heartbeat-options.interface.js';
import { HeartbeatSweeper } from '../lib/core/heartbeat-sweeper.js';
import { LifecycleEvents } from '../lib/core/lifecycle-events.js';
import { MessageInbox } from '../lib/core/message-inbox.js';
import { PingScheduler } from '../lib/core/ping-scheduler.js';
import { ProtocolViolations } from '../lib/core/protocol-violations.js';
import type { RequestFrames } from '../lib/core/request-frames.port.js';
import { MemorySessionStore } from '../lib/core/memory-session-store.js';
import { SessionRegistry } from '../lib/core/session-registry.js';
import { TokenExpiry } from '../lib/core/token-expiry.js';
import type { TopicFrames } from '../lib/core/topic-frames.port.js';
import type { TopicSubscriber } from '../lib/core/topic-subscriber.js';
import { TopicAccess } from '../lib/core/topic-access.js';
import { TopicGate } from '../lib/core/topic-gate.js';
import { resolveHeartbeatOptions } from '../lib/heartbeat-options.validator.js';
import { FakeClock } from './fake-clock.js';
import { FakePeer } from './fake-peer.js';
import { RecordingLogger } from './recording-logger.js';

/** Topic frames recorded instead of handled, and the release hook's calls (the topic hub's place). */
export class RecordingTopics implements TopicFrames {
  readonly calls: { op: 'subscribe' | 'join' | 'unsubscribe' | 'remove'; id: string; topic?: string; since?: number; presence?: boolean }[] = [];

  subscribe(subscriber: TopicSubscriber, topic: string, since: number | undefined, presence?: boolean): void {
    this.calls.push({ op: 'subscribe', id: subscriber.id, topic, ...(since === undefined ? {} : { since }), ...(presence === undefined ? {} : { presence }) });
  }

  join(subscriber: TopicSubscriber, topic: string, since: number | undefined): void {
    this.calls.push({ op: 'join', id: subscriber.id, topic, ...(since === undefined ? {} : { since }) });
  }

  unsubscribe(subscriber: TopicSubscriber, topic: string): void {
    this.calls.push({ op: 'unsubscribe', id: subscriber.id, topic });
  }

  release(subscriber: TopicSubscriber): void {
    this.calls.push({ op: 'remove', id: subscriber.id });
  }
}

/** Request frames recorded instead of handled (the Nest layer's request handlers' place). */
export class RecordingRequests implements RequestFrames {
  readonly calls: { id: string; frame: RequestFrame }[] = [];

  request(connection: HeartbeatConnection, frame: RequestFrame): void {
    this.calls.push({ id: connection.id, frame });
  }
}
/** What takes the topic frames and a closed connection's topics: recorded by default, or a real TopicHub. */
export type TestTopics = TopicFrames & { release(subscriber: TopicSubscriber): void };

/**
 * The server core wired as HeartbeatModule wires it, on a FakeClock and FakePeers: no socket, no
 * Nest application, no real time. `releases` records the order a closed connection is released in.
 * Its topics are recorded (RecordingTopics), or `topics` handles them (a TopicHub over a memory backplane).
 */
export class TestCore<T extends TestTopics = RecordingTopics> {
  readonly options: ResolvedHeartbeatOptions;
  readonly clock = new FakeClock();
  readonly logger = new RecordingLogger();
  readonly counters = new HeartbeatCounters();
  readonly lifecycle = new LifecycleEvents();
  readonly events: HeartbeatLifecycleEvent[] = [];
  /** The services a closed connection was released from, in order. */
  readonly releases: string[] = [];
  readonly topics: T;
  /** The gate in front of the topics, with the options' `authorize`. */
  readonly gate: TopicGate;
  readonly requests = new RecordingRequests();
  readonly pings: PingScheduler;
  readonly sessions: SessionRegistry;
  readonly addresses: AddressConnectionLimiter;
  readonly registry: ConnectionRegistry;
  readonly sweeper: HeartbeatSweeper;
  readonly drainer: ConnectionDrainer;
  readonly expiry: TokenExpiry;
  readonly rateLimiter: FrameRateLimiter;
  readonly violations: ProtocolViolations;
  readonly inbox: MessageInbox;
  readonly handshake: HandshakeService;
  readonly router: FrameRouter;

  /** `pingsPerTurn`: the ping wheel's batch (PingScheduler), smaller than the default to see slots served apart. */
  constructor(options: HeartbeatModuleOptions = {}, handler?: T, pingsPerTurn?: number) {
    this.topics = handler ?? (new RecordingTopics() as TestTopics as T);
    const { clock, logger, counters, lifecycle } = this;
    this.options = resolveHeartbeatOptions(options);
    lifecycle.events$.subscribe((event) => this.events.push(event));
    this.pings = new PingScheduler(this.options, clock, counters, lifecycle, logger, pingsPerTurn);
    // The registry is made next; a session is looked up only once connections exist.
    // One process: no other node to ask for a connection.
    this.sessions = new SessionRegistry(this.options, clock, (id) => this.registry.getById(id), new MemorySessionStore(this.options, clock), () => undefined);
    this.addresses = new AddressConnectionLimiter(this.options, clock, counters, lifecycle, logger);
    this.registry = new ConnectionRegistry(this.options, clock, lifecycle, counters, logger, {
      pings: this.recorded('pings', this.pings),
      sessions: this.recorded('sessions', this.sessions),
      addresses: this.recorded('addresses', this.addresses),
      topics: this.recorded('topics', this.topics),
    });
    this.sweeper = new HeartbeatSweeper(this.options, this.registry, this.pings, clock, counters);
    this.drainer = new ConnectionDrainer(this.options, this.registry, lifecycle, clock, logger);
    this.expiry = new TokenExpiry(clock, counters, lifecycle, logger);
    this.rateLimiter = new FrameRateLimiter(this.options, counters, lifecycle, logger);
    this.violations = new ProtocolViolations(this.options);
    this.inbox = new MessageInbox(this.sessions, counters);
    this.gate = new TopicGate(new TopicAccess(this.options.authorize), this.topics, logger, this.options.maxTopicsPerConnection);
    const { pings, gate: topics, sessions, drainer, expiry, violations } = this;
    this.handshake = new HandshakeService(this.options, clock, counters, lifecycle, logger, { pings, topics, sessions, drainer, expiry, violations });
    this.router = new FrameRouter(this.registry, clock, logger, {
      handshake: this.handshake,
      pings,
      topics,
      inbox: this.inbox,
      requests: this.requests,
      drainer,
      rateLimiter: this.rateLimiter,
      addressLimiter: this.addresses,
      violations,
    });
  }

  /** Starts liveness, as the application's bootstrap does. */
  start(): this {
    this.pings.start();
    this.sweeper.start();
    return this;
  }

  /** A new transport accepted (in the handshake). */
  accept(peer = new FakePeer()): { connection: HeartbeatConnection; peer: FakePeer } {
    return { connection: this.router.accept(peer, undefined), peer };
  }

  /** A transport that completed its handshake (`welcome` written, on the ping wheel). */
  async open(hello: Omit<HelloFrame, 'type'> = {}, peer = new FakePeer()): Promise<{ connection: HeartbeatConnection; peer: FakePeer }> {
    const accepted = this.accept(peer);
    this.send(accepted.connection, { type: 'hello', ...hello });
    await settle();
    return accepted;
  }

  /** A client frame arriving on the connection (as JSON text). */
  send(connection: HeartbeatConnection, frame: object): void {
    this.router.receive(connection, JSON.stringify(frame));
  }

  /** The client's own ping, stamped with the fake clock. */
  ping(connection: HeartbeatConnection, sequence: number, clientTime = this.clock.now()): void {
    this.send(connection, { type: 'ping', timestamp: new Date(this.clock.now()).toISOString(), client_time: clientTime, sequence });
  }

  /** The client's answer to the server's ping `sequence`. */
  pong(connection: HeartbeatConnection, sequence: number, clientTime = this.clock.now()): void {
    const timestamp = new Date(this.clock.now()).toISOString();
    this.send(connection, { type: 'pong', timestamp, client_time: clientTime, sequence, ping_count: connection.pingsSent });
  }

  /** The transport's close event: what ws reports once the socket is gone. */
  closeTransport(connection: HeartbeatConnection, code = 1006, reason = ''): void {
    this.registry.remove(connection, code, reason);
  }

  /** The lifecycle events of one type (optionally of one connection). */
  eventsOf<T extends HeartbeatLifecycleEvent['type']>(type: T, connectionId?: string): Extract<HeartbeatLifecycleEvent, { type: T }>[] {
    return this.events.filter(
      (event): event is Extract<HeartbeatLifecycleEvent, { type: T }> =>
        event.type === type && (connectionId === undefined || event.connectionId === connectionId),
    );
  }

  private recorded<T extends { release(connection: HeartbeatConnection): void }>(name: string, service: T): T {
    return {
      release: (connection: HeartbeatConnection) => {
        this.releases.push(name);
        service.release(connection);
      },
    } as T;
  }
}

/** Lets the promise continuations of a handler run (verifyToken is awaited even when synchronous). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
