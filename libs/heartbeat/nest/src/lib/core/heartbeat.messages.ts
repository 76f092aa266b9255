/** A close frame carries a 2-byte code and at most 123 bytes of reason (RFC 6455 §5.5). */
export const MAX_CLOSE_REASON_BYTES = 123;

/** Every text the module shows to users (errors, close reasons, logs), in one place. */
export const HeartbeatMessages = {
  invalidOption: (name: string, expected: string, got: unknown) =>
    `HeartbeatModule option "${name}" must be ${expected}, but got ${describe(got)}. Fix it in HeartbeatModule.forRoot()/forRootAsync().`,
  timeoutNotAbovePingInterval: (timeout: number, interval: number) =>
    `HeartbeatModule option "heartbeatTimeout" (${timeout} ms) must be greater than "pingInterval" (${interval} ms); otherwise healthy connections time out between two pings.`,
  invalidTopicPattern: (name: string, problem: string) =>
    `HeartbeatModule option "${name}": ${problem} Fix it in HeartbeatModule.forRoot()/forRootAsync().`,
  adapterMissing: () =>
    'HeartbeatModule needs its WebSocket adapter: call app.useWebSocketAdapter(new HeartbeatWsAdapter(app)) before app.listen() or app.init().',
  optionsNotFound: () =>
    'HeartbeatWsAdapter found no HeartbeatModule options in the application: import HeartbeatModule.forRoot() or forRootAsync() in your root module.',

  closeHandshakeTimeout: (ms: number) => `no hello within ${ms} ms`,
  closeUnauthorized: () => 'unauthorized: the token is missing, invalid or expired',
  closeVerifyFailed: () => 'server error while verifying the token',
  closeTokenExpired: () => 'unauthorized: the token expired; send auth with a fresh token before token_expires_at',
  closeProtocolViolation: (count: number) => `protocol violation: ${count} invalid frames`,
  closeKicked: () => 'disconnected by an administrator',
  closeDraining: () => 'server restarting: reconnect shortly',
  closeShutdown: () => 'server shutting down',
  closeSlowConsumer: (limit: number) => `slow consumer: more than ${limit} bytes left unread`,
  closeRateLimited: (perSecond: number) => `rate limited: more than ${perSecond} frames per second`,
  closeAddressLimit: (limit: number) => `too many connections from this address (limit ${limit})`,
  closeSuperseded: (by: string) => `superseded: the session resumed on connection ${by}`,
  invalidCloseCode: (code: number) =>
    `HeartbeatService.disconnect(): ${describe(code)} is not a close code a server may send; use 1000-1003, 1007-1014 or 3000-4999 (RFC 6455).`,
  closeReasonTooLong: (bytes: number) =>
    `HeartbeatService.disconnect(): the reason is ${bytes} bytes long in UTF-8, but a close frame holds at most ${MAX_CLOSE_REASON_BYTES}.`,

  ioredisMissing: () =>
    'HeartbeatModule option "redis" needs the ioredis package: run "npm install ioredis", or leave "redis" out to keep everything in memory.',
  redisNotStarted: () => 'The Redis link is not started yet: HeartbeatModule connects it when the application initializes.',
  redisSilent: (ms: number) => `Redis did not answer PING within ${ms} ms; reconnecting`,
  redisPublishBacklog: (limit: number) =>
    `HeartbeatService.publish(): ${limit} publishes are already waiting for Redis, which is unreachable; retry once /health reports Redis up again, or raise redis.maxPendingPublishes.`,

  handshakeRequired: () => 'Send a "hello" frame first: nothing else is accepted before the handshake completes.',
  handshakeInProgress: () => 'The handshake is still in progress: wait for "welcome" before sending other frames.',
  alreadyAuthenticated: () => 'This connection already completed its handshake: send "auth" to present a new token.',
  handlerFailed: (type: string) => `The server failed to process the "${type}" frame; try again later.`,
  presenceDisabled: (topic: string) =>
    `The topic "${clip(topic)}" keeps no presence, so there are no members to send: you are subscribed to its events only. Subscribe without "presence", or ask the server's operator to list the topic in the HeartbeatModule option "presence".`,
  presenceUnavailable: (topic: string) =>
    `The members of "${clip(topic)}" could not be read just now: you are subscribed to its events. Subscribe again with "presence": true to get them.`,

  logRedisUp: (nodeId: string, downForMs: number | undefined) =>
    downForMs === undefined ? `node ${nodeId} connected to Redis` : `node ${nodeId} reconnected to Redis after ${downForMs} ms; catching up`,
  logRedisDown: (error: string | undefined) =>
    `lost the connection to Redis${error ? ` (${error})` : ''}: serving this node's clients alone, publishes wait; reconnecting with backoff`,
  logSubscribeFailed: (topic: string, id: string) => `subscribing connection ${id} to "${topic}" failed`,
  logCatchUpFailed: (topic: string) => `reading the missed events of "${topic}" failed; they are read once the link is back, or told to the subscribers as lost`,
  logEventsLost: (topic: string, epoch: string, seq: number) =>
    `events of "${topic}" were lost (the backplane lost them, or trimmed them before this node read them): its subscribers are told to continue from ${epoch} #${seq}`,
  logPresenceFailed: (topic: string, operation: string) =>
    `presence of "${topic}": ${operation} failed; a Redis outage is made up for when the link is back`,
  logPresenceWriteFailed: (error: string) =>
    `writing this node's presence entries to Redis failed (${error}); they are written again once Redis answers`,
  logRedisListenFailed: () => 'subscribing to the cluster control channel failed',
  logRedisReportFailed: (error: string) => `writing this node's stats report to Redis failed: ${error}`,
  logOpened: (id: string, address: string) => `connection ${id} opened from ${address}`,
  logSocketError: (id: string, message: string) => `connection ${id}: socket error: ${message}`,
  logAuthenticated: (id: string, session: string, resumed: boolean) =>
    `connection ${id} authenticated (session ${session}${resumed ? ', resumed' : ''})`,
  logSuperseded: (id: string, by: string, session: string) =>
    `connection ${id} dropped: its session ${session} resumed on connection ${by} (the old link is presumed dead)`,
  logTimedOut: (id: string, why: string) => `connection ${id} timed out: ${why}`,
  logClosed: (id: string, code: number, reason: string) =>
    `connection ${id} closed with code ${code}${reason ? ` (${reason})` : ''}`,
  logDrainStarted: (connections: number, windowMs: number) =>
    `draining: closing ${connections} connections with 1012 over ${windowMs} ms; new connections are refused`,
  logDrainProgress: (closed: number, total: number) => `draining: ${closed} of ${total} connections closed`,
  logDrainCompleted: (closed: number, terminated: number, durationMs: number) =>
    `drained: ${closed} connections closed in ${durationMs} ms` +
    (terminated > 0 ? `, ${terminated} of them destroyed after an unanswered close frame` : ''),
  logSlowConsumer: (id: string, buffered: number, limit: number) =>
    `connection ${id} is not reading: ${buffered} bytes wait in its send buffer (limit ${limit}); closing it with 4009`,
  logRateLimited: (id: string, address: string, perSecond: number, burst: number) =>
    `connection ${id} from ${address} sent more than ${perSecond} frames per second (burst ${burst}); closing it with 4429`,
  logAddressLimit: (id: string, ip: string, limit: number) =>
    `connection ${id} refused: ${ip} already has ${limit} connections (maxConnectionsPerAddress); closing it with 1013`,
  logTokenExpired: (id: string) => `connection ${id}: its token expired without an auth frame renewing it; closing it with 4001`,
  logInvalidVerdict: (id: string, verdict: string) =>
    `verifyToken returned ${verdict} for connection ${id}: resolve true, false or { expiresAt: <epoch ms> }; closing it with 4001`,
  logVerifyTokenThrew: (id: string) => `verifyToken threw for connection ${id}; closing it with 1011`,
  logHandlerFailed: (type: string, id: string) => `handling a "${type}" frame from connection ${id} failed`,
  logOriginRefused: (origin: string | undefined, address: string, suppressed: number, intervalMs: number) =>
    `refused a WebSocket upgrade from ${address} with HTTP 403: ` +
    (origin === undefined
      ? 'it sent no Origin header (a non-browser client, such as Node), which an allowedOrigins list refuses. Let an allowedOrigins predicate accept undefined if such clients are yours.'
      : `its Origin "${clip(origin)}" is not in allowedOrigins. Add it there if that page is yours (a dev server such as http://localhost:4200 too).`) +
    notLogged(suppressed, intervalMs),
  logUnknownPath: (path: string, address: string, paths: readonly string[], suppressed: number, intervalMs: number) =>
    `refused a WebSocket upgrade to "${clip(path)}" from ${address} with HTTP 404: no WebSocket endpoint has that path ` +
    `(this server's: ${paths.map((known) => `"${known}"`).join(', ')}). Check the client's url.` +
    notLogged(suppressed, intervalMs),
  upgradeNotFound: () => 'No WebSocket endpoint at this path.',
} as const;

/** What a client sent, cut short for the log (a header or a path may be kilobytes long). */
function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The count a rate-limited log line adds for the lines it stood in for. */
function notLogged(suppressed: number, intervalMs: number): string {
  if (suppressed === 0) return '';
  return ` (${suppressed} more since the last such line, within ${Math.round(intervalMs / 1000)} s, were not logged)`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return String(value);
}
