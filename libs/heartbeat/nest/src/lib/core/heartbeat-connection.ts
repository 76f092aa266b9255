import { type ErrorFrame, type ServerFrame, encodeFrame } from '@heartbeat/protocol';
import type { IncomingMessage } from 'node:http';
import type { CoreClock, TimerHandle } from './clock.port.js';
import { HeartbeatMessages, MAX_CLOSE_REASON_BYTES } from './heartbeat.messages.js';
import { internAddress } from './interned-addresses.js';
import type { HeartbeatIdentity } from './heartbeat-identity.js';
import { HeartbeatSession } from './heartbeat-session.js';
import type { PeerTransport } from './peer-transport.js';
import { type TokenRate, msUntilFull, refilledTokens } from './token-bucket.js';
import type { TopicSubscriber } from './topic-subscriber.js';

/**
 * What the stats row shows: `handshake`: waiting for `hello`; `authenticating`: `verifyToken` is
 * running; `open`: welcomed, pinged and allowed to subscribe; `closed`: the socket is gone. A
 * connection the server is closing keeps showing the state it was in until its socket is gone.
 */
export type ConnectionState = 'handshake' | 'authenticating' | 'open' | 'closed';

type LiveState = Exclude<ConnectionState, 'closed'>;

/**
 * Where a connection is in its life. A closing connection carries the first decision to close it
 * (what the `disconnected` event reports), a closed one the code and reason it ended with.
 */
export type ConnectionPhase =
  | { readonly phase: LiveState }
  | {
      readonly phase: 'closing';
      readonly from: LiveState;
      readonly code: number;
      readonly reason: string;
      /** The close frame went unanswered for the close grace and the socket was destroyed. */
      readonly graceExpired: boolean;
    }
  | { readonly phase: 'closed'; readonly code: number; readonly reason: string; readonly graceExpired: boolean };

// The live phases carry no data: one shared object each, no allocation per transition.
const HANDSHAKE: ConnectionPhase = Object.freeze({ phase: 'handshake' });
const AUTHENTICATING: ConnectionPhase = Object.freeze({ phase: 'authenticating' });
const OPEN: ConnectionPhase = Object.freeze({ phase: 'open' });

/** Weight of a new RTT sample in the smoothed RTT (as TCP's SRTT). */
const RTT_SMOOTHING = 1 / 8;
/**
 * The smoothed RTT is kept in 1/1024 ms, rounded to a whole number (as TCP keeps its SRTT in units
 * of its own), so that it is a small integer (smallInteger) while the RTT is under about 35 minutes.
 * The roundings keep it within 4/1024 ms of the exact average.
 */
const SMOOTHED_RTT_SCALE = 1_024;

/**
 * A whole number of milliseconds that V8 keeps in a connection's field itself. The difference of two
 * epoch ms readings is a heap number even when it is a small whole number, and once a field holds
 * one V8 keeps that field of every connection as a 16-byte heap number of its own: five per
 * connection in heap snapshots at 300 connections (docs/benchmarks.md, tenth pass). Math.round's
 * result is a small integer wherever it fits in one (2^31 ms: 24 days), a heap number beyond.
 */
function smallInteger(value: number): number {
  return Math.round(value);
}

/** A time (epoch ms) as the connection keeps it: relative to the context's epoch, a small integer. */
function sinceEpoch(now: number, epoch: number): number {
  return smallInteger(now - epoch);
}

/**
 * How long a polite close may wait for the peer's close frame before the socket is destroyed. ws
 * itself waits 30 s, and neither heartbeat rule watches a connection that is already closing.
 */
export const CLOSE_HANDSHAKE_GRACE_MS = 5_000;

/** ws closes the socket itself after a frame error, with these codes (1002 for its other WS_ERR_* errors). */
const SOCKET_ERROR_CLOSE_CODES: Readonly<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_INVALID_UTF8: 1007,
};

const NO_TOPICS: readonly string[] = Object.freeze([]);
/**
 * In place of a session: the connection has a new session of its own (its id), made when something
 * first needs the object (session-registry.ts). Most sessions never do while their connection
 * lives, and one costs 64 bytes (heap snapshots at 5,000 connections, docs/benchmarks.md).
 */
const OWN_SESSION = Symbol('own session');
/** Topics a connection keeps in an array before it switches to a Set. */
const TOPIC_ARRAY_LIMIT = 8;

/** What a connection rarely has once open (HeartbeatConnection's `#rare`). */
interface RareConnectionState {
  /**
   * The HTTP upgrade request, for `verifyToken` on `hello`; released once that check is done. Kept
   * for the connection's life it would hold its headers and parser state: about 1.2 KiB per
   * connection, more than the connection's own record (measured with heap snapshots at 5,000).
   */
  request: IncomingMessage | undefined;
  /** Invalid frames it sent. */
  violations: number;
  /** Frames dropped because the send buffer was above its high-water mark. */
  droppedFrames: number;
}

/** What every connection of a registry shares: one object, not a field each. */
export interface ConnectionContext {
  readonly clock: CoreClock;
  /**
   * A time (epoch ms, the registry's start) that a connection's times are kept relative to: an
   * epoch ms reading is a heap number of 16 bytes, its distance from here a small integer (sinceEpoch).
   */
  readonly epoch: number;
  /** High-water mark of the transport's `bufferedAmount`, in bytes. */
  readonly maxBufferedBytes: number;
  /** Called once, when a frame had to be dropped because the send buffer was above the mark. */
  readonly onOverflow: (connection: HeartbeatConnection, bufferedBytes: number) => void;
}

/**
 * One peer and everything the server tracks about it. It owns its state: the other services ask
 * it to change (transition methods) and read it through getters. It has at most one timer at a
 * time, whose meaning follows the phase: the `hello` deadline during the handshake, the token's
 * expiry while open, the close grace while closing; `release` clears it.
 */
export class HeartbeatConnection implements TopicSubscriber {
  // A field read through a getter of the same name is `#x` (the getter takes the plain name); the
  // others, which nothing outside reads, are TypeScript-private.
  #state: ConnectionPhase = HANDSHAKE;
  #session: HeartbeatSession | typeof OWN_SESSION | undefined;
  #identity: HeartbeatIdentity | undefined;
  // The times below are kept relative to context.epoch (their getters add it).
  readonly #connectedAt: number;
  #lastInboundAt: number;
  /** Sequence of the last server ping (pings are numbered from 1: also how many were sent), and when it went out. */
  private pingSequence = 0;
  #lastPingAt: number | undefined;
  #lastPongAt: number | undefined;
  #pongsReceived = 0;
  #clientPings = 0;
  #missedPings = 0;
  #rttMs: number | undefined;
  /** The smoothed RTT times SMOOTHED_RTT_SCALE. */
  private scaledSmoothedRtt: number | undefined;
  /**
   * Twice the clock offset, rounded to a whole number (smallInteger): exact for whole-millisecond
   * times (half an RTT is a half), within a quarter of a millisecond for a fractional `client_time`.
   */
  private doubleClockOffsetMs: number | undefined;
  /** Index of the ping wheel slot this connection lives in; -1 outside the wheel. */
  #pingSlot = -1;
  private timer: TimerHandle | undefined;
  /** When the accepted token stops being valid (relative to context.epoch); undefined when it does not expire. */
  #tokenExpiresAt: number | undefined;
  /**
   * The `rateLimit` bucket: its tokens as counted at bucketUpdatedAt (relative to context.epoch),
   * undefined before the first frame (a full bucket). Two fields of the connection, not an object
   * (token-bucket.ts).
   */
  private bucketTokens: number | undefined;
  private bucketUpdatedAt: number | undefined;
  /**
   * What most connections never have once open, in one object made when needed (one field instead
   * of three: 16 bytes per idle connection, heap snapshots at 5,000, docs/benchmarks.md).
   */
  #rare: RareConnectionState | undefined;
  /**
   * A connection has a few topics, most often one: that one is the topic's name itself (no array:
   * 56 bytes less per connection, measured with heap snapshots at 5,000); up to TOPIC_ARRAY_LIMIT
   * they are an array replaced (never changed in place) on each subscribe and unsubscribe, a third
   * of a Set's size; beyond, a Set, so that a client with thousands of topics costs no copying.
   */
  private topicList: string | readonly string[] | Set<string> = NO_TOPICS;

  /**
   * The peer's IP address (one string per address, interned-addresses.ts) and port, read when the
   * connection opens: a destroyed socket can no longer be asked, and the disconnected event names them.
   */
  readonly #peerIp: string | undefined;
  readonly #peerPort: number | undefined;

  constructor(
    readonly id: string,
    /** The peer's transport (HeartbeatSocket under Nest). */
    readonly socket: PeerTransport,
    request: IncomingMessage | undefined,
    connectedAt: number,
    private readonly context: ConnectionContext,
  ) {
    this.#connectedAt = sinceEpoch(connectedAt, context.epoch);
    this.#lastInboundAt = this.#connectedAt;
    if (request !== undefined) this.#rare = { request, violations: 0, droppedFrames: 0 };
    const { address, port } = socket.peerAddress();
    this.#peerIp = address === undefined ? undefined : internAddress(address);
    this.#peerPort = port;
  }

  // ---- what others read ------------------------------------------------------------------------

  /** The state the stats row shows (a closing connection shows the one it was in). */
  get state(): ConnectionState {
    const state = this.#state;
    return state.phase === 'closing' ? state.from : state.phase;
  }

  /** The full phase, with the close decision once there is one. */
  get phase(): ConnectionPhase {
    return this.#state;
  }

  /** Welcomed and not being closed: pinged, swept, allowed to subscribe. */
  get isOpen(): boolean {
    return this.#state === OPEN;
  }

  /** True once the server decided to close this connection, or its socket closed: nothing more is written to it. */
  get isClosing(): boolean {
    const phase = this.#state.phase;
    return phase === 'closing' || phase === 'closed';
  }

  /** True when the close frame went unanswered for the close grace and the socket was destroyed. */
  get closeGraceExpired(): boolean {
    const state = this.#state;
    return (state.phase === 'closing' || state.phase === 'closed') && state.graceExpired;
  }

  /** Set once the handshake completed. */
  get session(): HeartbeatSession | undefined {
    const session = this.#session;
    if (session !== OWN_SESSION) return session;
    const own = new HeartbeatSession(this.id, this.userId);
    own.attach(this);
    this.#session = own;
    return own;
  }

  get sessionId(): string | undefined {
    const session = this.#session;
    return session === OWN_SESSION ? this.id : session?.id;
  }

  /** Whose the connection is, once open; undefined while it is not, and for an anonymous one. */
  get identity(): HeartbeatIdentity | undefined {
    return this.#identity;
  }

  /** The identity's user id; undefined for an anonymous connection. */
  get userId(): string | undefined {
    return this.#identity?.userId;
  }

  /** The upgrade request until the `hello`'s token check is done; undefined after. */
  get request(): IncomingMessage | undefined {
    return this.#rare?.request;
  }

  get connectedAt(): number {
    return this.context.epoch + this.#connectedAt;
  }

  get lastInboundAt(): number {
    return this.context.epoch + this.#lastInboundAt;
  }

  /** Server pings sent on this connection. */
  get pingsSent(): number {
    return this.pingSequence;
  }

  get lastPingAt(): number | undefined {
    return this.fromEpoch(this.#lastPingAt);
  }

  get lastPongAt(): number | undefined {
    return this.fromEpoch(this.#lastPongAt);
  }

  get pongsReceived(): number {
    return this.#pongsReceived;
  }

  get clientPings(): number {
    return this.#clientPings;
  }

  get missedPings(): number {
    return this.#missedPings;
  }

  get rttMs(): number | undefined {
    return this.#rttMs;
  }

  get smoothedRttMs(): number | undefined {
    return this.scaledSmoothedRtt === undefined ? undefined : this.scaledSmoothedRtt / SMOOTHED_RTT_SCALE;
  }

  get clockOffsetMs(): number | undefined {
    return this.doubleClockOffsetMs === undefined ? undefined : this.doubleClockOffsetMs / 2;
  }

  get tokenExpiresAt(): number | undefined {
    return this.fromEpoch(this.#tokenExpiresAt);
  }

  /** Index of the ping wheel slot this connection lives in; -1 outside the wheel (PingScheduler's). */
  get pingSlot(): number {
    return this.#pingSlot;
  }

  get bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  /** `ip:port`, IPv6 as `[ip]:port`; `unknown` when the socket was already gone. */
  get remoteAddress(): string {
    const address = this.#peerIp;
    if (address === undefined) return 'unknown';
    return address.includes(':') ? `[${address}]:${this.#peerPort}` : `${address}:${this.#peerPort}`;
  }

  /** The peer's IP address alone (IPv4-mapped IPv6 addresses as IPv4); `unknown` when the socket was already gone. */
  get remoteIp(): string {
    const address = this.#peerIp;
    if (address === undefined) return 'unknown';
    return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  }

  /** The topics this connection is subscribed to, in the order it subscribed. */
  get topics(): readonly string[] {
    const topics = this.topicList;
    if (typeof topics === 'string') return [topics];
    return topics instanceof Set ? [...topics] : topics;
  }

  // ---- topics (TopicSubscriber) ----------------------------------------------------------------

  get topicCount(): number {
    const topics = this.topicList;
    if (typeof topics === 'string') return 1;
    return topics instanceof Set ? topics.size : topics.length;
  }

  hasTopic(topic: string): boolean {
    const topics = this.topicList;
    if (typeof topics === 'string') return topics === topic;
    return topics instanceof Set ? topics.has(topic) : topics.includes(topic);
  }

  /** Adds a topic; false when the connection already had it. */
  addTopic(topic: string): boolean {
    const topics = this.topicList;
    if (topics instanceof Set) {
      if (topics.has(topic)) return false;
      topics.add(topic);
      return true;
    }
    if (typeof topics === 'string') {
      if (topics === topic) return false;
      this.topicList = [topics, topic];
      return true;
    }
    if (topics.includes(topic)) return false;
    if (topics.length === 0) this.topicList = topic;
    // concat allocates the exact length; a spread leaves room for 17 entries.
    else this.topicList = topics.length < TOPIC_ARRAY_LIMIT ? topics.concat(topic) : new Set([...topics, topic]);
    return true;
  }

  removeTopic(topic: string): void {
    const topics = this.topicList;
    if (topics instanceof Set) {
      topics.delete(topic);
      return;
    }
    if (typeof topics === 'string') {
      if (topics === topic) this.topicList = NO_TOPICS;
      return;
    }
    const index = topics.indexOf(topic);
    if (index === -1) return;
    const rest = topics.slice(0, index).concat(topics.slice(index + 1));
    this.topicList = rest.length === 1 ? rest[0] : rest;
  }

  // ---- writing ---------------------------------------------------------------------------------

  /**
   * Sends an already encoded frame (JSON text, or its UTF-8 bytes); false when the transport is no
   * longer open, or when the peer has left more than the high-water mark unread: then the frame is
   * dropped (never queued without bound) and the overflow reported once, which closes the
   * connection (docs/server.md#backpressure-slow-consumers).
   */
  sendText(text: string | Buffer): boolean {
    const socket = this.socket;
    if (!socket.isOpen) return false;
    const buffered = socket.bufferedAmount;
    if (buffered > this.context.maxBufferedBytes) {
      if (this.rare().droppedFrames++ === 0) this.context.onOverflow(this, buffered);
      return false;
    }
    socket.sendText(text);
    return true;
  }

  send(frame: ServerFrame): boolean {
    return this.sendText(encodeFrame(frame));
  }

  sendError(error: Omit<ErrorFrame, 'type'>): boolean {
    return this.send({ type: 'error', ...error });
  }

  // ---- transitions -----------------------------------------------------------------------------

  /** handshake → authenticating (a `hello` arrived); false in any other phase. */
  beginAuthentication(): boolean {
    if (this.#state !== HANDSHAKE) return false;
    this.#state = AUTHENTICATING;
    return true;
  }

  /**
   * authenticating → open with its session (undefined: a new one of its own, with its id) and
   * identity (undefined: anonymous); false when the connection is no longer authenticating (closed
   * or being closed while `verifyToken` ran). Ends the `hello` deadline.
   */
  open(session: HeartbeatSession | undefined, identity: HeartbeatIdentity | undefined): boolean {
    if (this.#state !== AUTHENTICATING) return false;
    this.#state = OPEN;
    this.#session = session ?? OWN_SESSION;
    this.#identity = identity;
    this.clearTimer();
    return true;
  }

  /**
   * A fresh token (`auth`) brought new claims for the same user: rights are checked against them
   * from now on. The user itself never changes on a connection.
   */
  renewIdentity(identity: HeartbeatIdentity | undefined): void {
    if (identity?.userId === this.#identity?.userId) this.#identity = identity;
  }

  /** The `hello`'s token check is done: the upgrade request is no longer needed. */
  releaseRequest(): void {
    const rare = this.#rare;
    if (rare === undefined) return;
    if (rare.violations === 0 && rare.droppedFrames === 0) this.#rare = undefined;
    else rare.request = undefined;
  }

  /**
   * Arms the phase's deadline (the `hello` deadline, or the token's expiry), replacing the previous
   * one; ignored once the connection is closing.
   */
  setDeadline(delayMs: number, onDeadline: () => void): void {
    if (this.isClosing) return;
    this.clearTimer();
    this.timer = this.context.clock.setTimeout(onDeadline, delayMs, { background: true });
  }

  /** Records the accepted token's expiry (undefined: it does not expire) and drops the previous deadline. */
  setTokenExpiry(expiresAt: number | undefined): void {
    this.#tokenExpiresAt = expiresAt === undefined ? undefined : sinceEpoch(expiresAt, this.context.epoch);
    this.clearTimer();
  }

  /** Closes with a close frame (the peer is alive and should learn why). Safe in any phase and twice. */
  close(code: number, reason: string): void {
    // A connection that believes it is closing is never timed out: reject what a close frame cannot
    // carry before anything changes.
    assertCloseFrame(code, reason);
    const wasOpen = this.socket.isOpen;
    if (!this.beginClosing(code, reason) || !wasOpen) return;
    this.socket.close(code, reason);
    this.timer = this.context.clock.setTimeout(() => this.expireCloseGrace(), CLOSE_HANDSHAKE_GRACE_MS, { background: true });
  }

  /** Destroys the transport without a closing handshake (the peer is presumed dead). Safe in any phase and twice. */
  terminate(code: number, reason: string): void {
    this.beginClosing(code, reason);
    this.socket.terminate();
  }

  /** The transport reports a bad frame (oversize, invalid UTF-8, ...) and closes itself. */
  recordSocketError(error: Error & { code?: string }): void {
    // Transport errors (ECONNRESET, ...) say nothing the close code 1006 does not already say.
    if (!error.code?.startsWith('WS_ERR_')) return;
    this.beginClosing(SOCKET_ERROR_CLOSE_CODES[error.code] ?? 1002, error.message);
  }

  /**
   * The transport is gone: the connection is closed, with the server's decision if it made one,
   * else what the transport reported. Releases its timer and its transport's slot; what other
   * services hold for it ConnectionRegistry releases after. Returns the final phase.
   */
  release(code: number, reason: string): Extract<ConnectionPhase, { phase: 'closed' }> {
    const state = this.#state;
    if (state.phase === 'closed') return state;
    this.clearTimer();
    if (this.socket.connection === this) this.socket.connection = undefined;
    const closed =
      state.phase === 'closing'
        ? { phase: 'closed' as const, code: state.code, reason: state.reason, graceExpired: state.graceExpired }
        : { phase: 'closed' as const, code, reason, graceExpired: false };
    this.#state = closed;
    return closed;
  }

  // ---- liveness --------------------------------------------------------------------------------

  /** Any inbound frame proves the peer alive. */
  touch(now: number): void {
    this.#lastInboundAt = sinceEpoch(now, this.context.epoch);
    this.#missedPings = 0;
  }

  /** PingScheduler places the connection in a wheel slot (-1: out of the wheel). */
  placeInWheel(slot: number): void {
    this.#pingSlot = slot;
  }

  /**
   * The connection's turn on the ping wheel: the previous ping counts as missed when nothing arrived
   * since it went out. Returns the pings missed in a row.
   */
  countMissedPing(): number {
    if (this.#lastPingAt !== undefined && this.#lastInboundAt < this.#lastPingAt) this.#missedPings++;
    return this.#missedPings;
  }

  /** A server ping with this sequence went out. */
  recordPing(sequence: number, now: number): void {
    this.pingSequence = sequence;
    this.#lastPingAt = sinceEpoch(now, this.context.epoch);
  }

  /** Counts a client's own ping; returns how many it sent. */
  recordClientPing(): number {
    return ++this.#clientPings;
  }

  /** The client answered a ping; returns the RTT when it answered the latest one. */
  recordPong(sequence: number, clientTime: number, now: number): number | undefined {
    this.#pongsReceived++;
    const at = sinceEpoch(now, this.context.epoch);
    this.#lastPongAt = at;
    if (sequence !== this.pingSequence || this.#lastPingAt === undefined) return undefined;
    const rtt = at - this.#lastPingAt;
    this.#rttMs = rtt;
    const scaledRtt = rtt * SMOOTHED_RTT_SCALE;
    const scaled = this.scaledSmoothedRtt;
    this.scaledSmoothedRtt = scaled === undefined ? scaledRtt : smallInteger(scaled + (scaledRtt - scaled) * RTT_SMOOTHING);
    // NTP style: the client stamped its reply about half an RTT after our ping left.
    this.doubleClockOffsetMs = smallInteger(2 * (clientTime - (this.context.epoch + this.#lastPingAt))) - rtt;
    return rtt;
  }

  // ---- limits ----------------------------------------------------------------------------------

  /** Counts an invalid frame; returns how many this connection sent. */
  recordViolation(): number {
    return ++this.rare().violations;
  }

  /** Takes a token of the `rateLimit` bucket for a frame that arrived at `now`; false when the rate was exceeded. */
  takeFrameToken(rate: TokenRate, now: number): boolean {
    const tokens = this.frameTokens(rate, now);
    const admitted = tokens >= 1;
    this.bucketTokens = admitted ? tokens - 1 : tokens;
    return admitted;
  }

  /** Milliseconds until the `rateLimit` bucket is full again. */
  msUntilFrameBucketFull(rate: TokenRate, now: number): number {
    const tokens = this.frameTokens(rate, now);
    this.bucketTokens = tokens;
    return msUntilFull(rate, tokens);
  }

  // ---- internals -------------------------------------------------------------------------------

  /**
   * The one way into `closing`: the first decision wins (it is what the lifecycle event reports),
   * and the phase's deadline ends. False when the connection was already closing or closed.
   */
  private beginClosing(code: number, reason: string): boolean {
    const state = this.#state;
    if (state.phase === 'closing' || state.phase === 'closed') return false;
    this.clearTimer();
    this.#state = { phase: 'closing', from: state.phase, code, reason, graceExpired: false };
    return true;
  }

  private expireCloseGrace(): void {
    this.timer = undefined;
    const state = this.#state;
    if (state.phase !== 'closing') return;
    this.#state = { ...state, graceExpired: true };
    this.socket.terminate();
  }

  /** A time kept relative to the epoch (sinceEpoch) in epoch ms again; none stays none. */
  private fromEpoch(relative: number | undefined): number | undefined {
    return relative === undefined ? undefined : this.context.epoch + relative;
  }

  private rare(): RareConnectionState {
    return (this.#rare ??= { request: undefined, violations: 0, droppedFrames: 0 });
  }

  /** The bucket's tokens at `now`, counted from then on. */
  private frameTokens(rate: TokenRate, now: number): number {
    const at = sinceEpoch(now, this.context.epoch);
    const tokens = this.bucketTokens === undefined ? rate.burst : refilledTokens(rate, this.bucketTokens, this.bucketUpdatedAt ?? at, at);
    this.bucketUpdatedAt = at;
    return tokens;
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    this.context.clock.clearTimer(this.timer);
    this.timer = undefined;
  }
}

function isSendableCloseCode(code: number): boolean {
  return Number.isInteger(code) && ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999));
}

/** Throws a RangeError for a code or reason a server's close frame cannot carry (RFC 6455 §5.5, §7.4). */
export function assertCloseFrame(code: number, reason: string): void {
  if (!isSendableCloseCode(code)) throw new RangeError(HeartbeatMessages.invalidCloseCode(code));
  const bytes = Buffer.byteLength(reason);
  if (bytes > MAX_CLOSE_REASON_BYTES) throw new RangeError(HeartbeatMessages.closeReasonTooLong(bytes));
}
