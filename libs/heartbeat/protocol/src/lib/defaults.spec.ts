import { backoffDelay } from './backoff.js';
import {
  CLIENT_DEFAULTS,
  DEFAULT_BACKOFF_MULTIPLIER,
  DEFAULT_CLIENT_PING_INTERVAL_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DRAIN_WINDOW_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  DEFAULT_MAX_MISSED_PINGS,
  DEFAULT_MAX_MISSED_PONGS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_MAX_PROTOCOL_VIOLATIONS,
  DEFAULT_MAX_RECONNECT_ATTEMPTS,
  DEFAULT_MAX_RECONNECT_INTERVAL_MS,
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_PONG_TIMEOUT_MS,
  DEFAULT_RECONNECT_INTERVAL_MS,
  DEFAULT_RECONNECT_JITTER,
  DEFAULT_REPLAY_MAX_AGE_MS,
  DEFAULT_REPLAY_MAX_EVENTS,
  DEFAULT_SUSPENDED_RETRY_INTERVAL_MS,
  DEFAULT_WS_PATH,
  SERVER_HEARTBEAT_DEFAULTS,
} from './defaults.js';

/** The server heartbeat defaults in seconds, as docs/server.md#options gives them (25 s, 30 s, 90 s, 3). */
const SOURCE_SERVER_SECONDS = { heartbeat_interval: 30, heartbeat_timeout: 90, ping_interval: 25, max_missed_pings: 3 };

describe('SERVER_HEARTBEAT_DEFAULTS', () => {
  it('holds the documented server numbers in ms: 25000 / 30000 / 90000 / 3', () => {
    expect(SERVER_HEARTBEAT_DEFAULTS).toEqual({
      pingInterval: 25_000,
      heartbeatInterval: 30_000,
      heartbeatTimeout: 90_000,
      maxMissedPings: 3,
    });
  });

  it('converts the documented seconds to milliseconds', () => {
    expect(SERVER_HEARTBEAT_DEFAULTS.pingInterval).toBe(SOURCE_SERVER_SECONDS.ping_interval * 1000);
    expect(SERVER_HEARTBEAT_DEFAULTS.heartbeatInterval).toBe(SOURCE_SERVER_SECONDS.heartbeat_interval * 1000);
    expect(SERVER_HEARTBEAT_DEFAULTS.heartbeatTimeout).toBe(SOURCE_SERVER_SECONDS.heartbeat_timeout * 1000);
    expect(SERVER_HEARTBEAT_DEFAULTS.maxMissedPings).toBe(SOURCE_SERVER_SECONDS.max_missed_pings);
  });

  it('is built from the individual constants', () => {
    expect(SERVER_HEARTBEAT_DEFAULTS).toEqual({
      pingInterval: DEFAULT_PING_INTERVAL_MS,
      heartbeatInterval: DEFAULT_HEARTBEAT_INTERVAL_MS,
      heartbeatTimeout: DEFAULT_HEARTBEAT_TIMEOUT_MS,
      maxMissedPings: DEFAULT_MAX_MISSED_PINGS,
    });
  });

  it('is frozen', () => {
    expect(Object.isFrozen(SERVER_HEARTBEAT_DEFAULTS)).toBe(true);
    expect(Reflect.set(SERVER_HEARTBEAT_DEFAULTS, 'pingInterval', 1)).toBe(false);
    expect(SERVER_HEARTBEAT_DEFAULTS.pingInterval).toBe(25_000);
  });

  it('pings often enough that maxMissedPings unanswered pings fit in heartbeatTimeout', () => {
    const { pingInterval, heartbeatTimeout, maxMissedPings } = SERVER_HEARTBEAT_DEFAULTS;

    expect(pingInterval).toBeLessThan(heartbeatTimeout);
    expect(pingInterval * maxMissedPings).toBeLessThanOrEqual(heartbeatTimeout);
  });
});

describe('CLIENT_DEFAULTS', () => {
  it('holds the documented client numbers: 5 / 5000 / 1.5 / 30000 / 30000 / 10000 / 3', () => {
    expect(CLIENT_DEFAULTS).toMatchObject({
      maxReconnectAttempts: 5,
      reconnectInterval: 5000,
      backoffMultiplier: 1.5,
      maxReconnectInterval: 30_000,
      pingInterval: 30_000,
      pongTimeout: 10_000,
      maxMissedPongs: 3,
    });
  });

  it('adds the production settings: jitter 0.3, connectTimeout 10000, suspendedRetryInterval 60000', () => {
    expect(CLIENT_DEFAULTS).toEqual({
      maxReconnectAttempts: 5,
      reconnectInterval: 5000,
      backoffMultiplier: 1.5,
      maxReconnectInterval: 30_000,
      pingInterval: 30_000,
      pongTimeout: 10_000,
      maxMissedPongs: 3,
      jitter: 0.3,
      connectTimeout: 10_000,
      suspendedRetryInterval: 60_000,
    });
  });

  it('is built from the individual constants', () => {
    expect(CLIENT_DEFAULTS).toEqual({
      maxReconnectAttempts: DEFAULT_MAX_RECONNECT_ATTEMPTS,
      reconnectInterval: DEFAULT_RECONNECT_INTERVAL_MS,
      backoffMultiplier: DEFAULT_BACKOFF_MULTIPLIER,
      maxReconnectInterval: DEFAULT_MAX_RECONNECT_INTERVAL_MS,
      pingInterval: DEFAULT_CLIENT_PING_INTERVAL_MS,
      pongTimeout: DEFAULT_PONG_TIMEOUT_MS,
      maxMissedPongs: DEFAULT_MAX_MISSED_PONGS,
      jitter: DEFAULT_RECONNECT_JITTER,
      connectTimeout: DEFAULT_CONNECT_TIMEOUT_MS,
      suspendedRetryInterval: DEFAULT_SUSPENDED_RETRY_INTERVAL_MS,
    });
  });

  it('is frozen', () => {
    expect(Object.isFrozen(CLIENT_DEFAULTS)).toBe(true);
    expect(Reflect.set(CLIENT_DEFAULTS, 'reconnectInterval', 1)).toBe(false);
    expect(CLIENT_DEFAULTS.reconnectInterval).toBe(5000);
  });

  it('is usable as BackoffOptions and gives the default backoff schedule with jitter 0', () => {
    const options = { ...CLIENT_DEFAULTS, jitter: 0 };

    expect([0, 1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, options))).toEqual([
      5000, 7500, 11_250, 16_875, 25_312.5, 30_000,
    ]);
  });

  it('waits for a pong less long than the interval between pings', () => {
    expect(CLIENT_DEFAULTS.pongTimeout).toBeLessThan(CLIENT_DEFAULTS.pingInterval);
  });

  it('keeps jitter a fraction between 0 and 1', () => {
    expect(CLIENT_DEFAULTS.jitter).toBeGreaterThan(0);
    expect(CLIENT_DEFAULTS.jitter).toBeLessThan(1);
  });
});

describe('server and transport defaults', () => {
  it('serves the protocol on /ws', () => {
    expect(DEFAULT_WS_PATH).toBe('/ws');
  });

  it('expects a hello within 10 s', () => {
    expect(DEFAULT_HANDSHAKE_TIMEOUT_MS).toBe(10_000);
  });

  it('accepts frames up to 64 KiB', () => {
    expect(DEFAULT_MAX_PAYLOAD_BYTES).toBe(65_536);
  });

  it('tolerates 5 protocol violations before closing with 4400', () => {
    expect(DEFAULT_MAX_PROTOCOL_VIOLATIONS).toBe(5);
  });

  it('keeps 1000 events or 5 minutes per topic for resume', () => {
    expect(DEFAULT_REPLAY_MAX_EVENTS).toBe(1000);
    expect(DEFAULT_REPLAY_MAX_AGE_MS).toBe(300_000);
  });

  it('drains over 10 s on shutdown', () => {
    expect(DEFAULT_DRAIN_WINDOW_MS).toBe(10_000);
  });
});
