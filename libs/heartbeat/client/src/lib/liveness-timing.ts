import type { WelcomeFrame } from '@heartbeat/protocol';
import { DEFAULT_TIMING, type HeartbeatTimingOptions } from './client-options.js';

/** The client heartbeat's bounds: the options a server's `welcome.heartbeat` can set. */
export type LivenessTiming = Pick<HeartbeatTimingOptions, 'pingInterval' | 'pongTimeout' | 'maxMissedPongs'>;
export type LivenessOptionName = keyof LivenessTiming;

export const LIVENESS_OPTION_NAMES: readonly LivenessOptionName[] = ['pingInterval', 'pongTimeout', 'maxMissedPongs'];

/** pongTimeout / pingInterval of the defaults (10 s / 30 s, docs/client.md#options). */
export const PONG_TIMEOUT_SHARE = DEFAULT_TIMING.pongTimeout / DEFAULT_TIMING.pingInterval;

/**
 * The client heartbeat's bounds on a connection (docs/client.md#timing-from-the-server): an option
 * the app set itself (`own`: given explicitly, or by the preset it chose) stays; the others follow
 * the server's `welcome.heartbeat`, as engine.io's client follows its handshake:
 * - `pingInterval` ← `ping_interval` (the client pings as often as the server does);
 * - `maxMissedPongs` ← `max_missed_pings`;
 * - `pongTimeout` stays the client's, but never longer than (`heartbeat_timeout` − pingInterval) /
 *   maxMissedPongs: the client never holds on to a silent link longer than the server does. When
 *   that leaves no timeout below pingInterval, it is a third of pingInterval, as for options.
 * Server values that cannot be bounds (0) are ignored.
 */
export function livenessFromWelcome(
  configured: LivenessTiming,
  own: ReadonlySet<LivenessOptionName>,
  server: WelcomeFrame['heartbeat'],
): LivenessTiming {
  const follows = (name: LivenessOptionName, value: number) => !own.has(name) && value >= 1;
  let pingInterval = follows('pingInterval', server.ping_interval) ? server.ping_interval : configured.pingInterval;
  const maxMissedPongs = follows('maxMissedPongs', server.max_missed_pings) ? server.max_missed_pings : configured.maxMissedPongs;
  let pongTimeout = own.has('pongTimeout')
    ? configured.pongTimeout
    : Math.min(configured.pongTimeout, Math.floor((server.heartbeat_timeout - pingInterval) / maxMissedPongs));
  if (pongTimeout <= 0 || pongTimeout >= pingInterval) {
    // The app's own pongTimeout needs the app's own pingInterval, which the constructor checked it against.
    if (own.has('pongTimeout')) pingInterval = configured.pingInterval;
    else pongTimeout = Math.round(pingInterval * PONG_TIMEOUT_SHARE);
  }
  return { pingInterval, pongTimeout, maxMissedPongs };
}
