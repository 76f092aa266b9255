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
  closeOtherUser: () => 'unauthorized: the auth token belongs to another user; reconnect with hello to change users',
  closeSuperseded: (by?: string) => `superseded: the session resumed on ${by === undefined ? 'another connection' : `connection ${by}`}`,
  invalidCloseCode: (code: number) =>
    `HeartbeatService.disconnect(): ${describe(code)} is not a close code a server may send; use 1000-1003, 1007-1014 or 3000-4999 (RFC 6455).`,
  closeReasonTooLong: (bytes: number) =>
    `HeartbeatService.disconnect(): the reason is ${bytes} bytes long in UTF-8, but a close frame holds at most ${MAX_CLOSE_REASON_BYTES}.`,

  ioredisMissing: () =>
    'HeartbeatModule option "redis" needs the ioredis package: run "npm install ioredis", or leave "redis" out to keep everything in memory.',
  redisNamedTwice: (keys: readonly string[]) =>
    `HeartbeatModule option "redis" names its Redis in ${keys.map((key) => `"${key}"`).join(' and ')}: give one of "url" (a standalone server), "sentinel" (a primary watched by Sentinel), "cluster" (a Redis Cluster) or "client" (an ioredis client).`,
  redisNotStarted: () => 'The Redis link is not started yet: HeartbeatModule connects it when the application initializes.',
  redisSilent: (ms: number) => `Redis did not answer PING within ${ms} ms; reconnecting`,
  redisHandshakeSilent: (ms: number) => `Redis accepted the connection but then sent nothing for ${ms} ms before it was ready; reconnecting`,
  redisPublishBacklog: (limit: number) =>
    `HeartbeatService.publish(): ${limit} publishes are already waiting for Redis, which is unreachable; retry once /health reports Redis up again, or raise redis.maxPendingPublishes.`,

  handshakeRequired: () => 'Send a "hello" frame first: nothing else is accepted before the handshake completes.',
  handshakeInProgress: () => 'The handshake is still in progress: wait for "welcome" before sending other frames.',
  alreadyAuthenticated: () => 'This connection already completed its handshake: send "auth" to present a new token.',
  topicForbidden: (topic: string, action: 'subscribe' | 'publish') =>
    action === 'subscribe'
      ? `You may not subscribe to "${topic}": its access rules do not allow this connection; ask the server's operator for access.`
      : `You may not publish on "${topic}": its access rules do not allow this connection; the message was not delivered.`,
  userTopicForbidden: (topic: string) =>
    `"${topic}" is another user's topic (the part after # names its user): only that user may use it.`,
  tooManyTopics: (limit: number) =>
    `This connection already holds ${limit} topics, the most the server allows (maxTopicsPerConnection): unsubscribe from one before subscribing to another.`,
  authorizeFailed: (topic: string) => `The server failed to check your access to "${topic}"; try again later.`,
  rulesNotArray: (got: unknown) =>
    `HeartbeatModule option "authorize" must be a function or an array of rules, but got ${describe(got)}. Fix it in HeartbeatModule.forRoot()/forRootAsync().`,
  ruleInvalid: (index: number, problem: string) =>
    `HeartbeatModule option "authorize", rule ${index}: ${problem} Fix it in HeartbeatModule.forRoot()/forRootAsync().`,
  ruleNotObject: () => 'a rule must be an object { topic, actions?, allow }.',
  ruleBadActions: (got: unknown) =>
    `"actions" must be a non-empty array of "subscribe" and "publish", but got ${describe(got)}.`,
  ruleBadAllow: (got: unknown) =>
    `"allow" must be "anyone", "authenticated" or { claim: "<name>", equals?: <value or list> }, but got ${describe(got)}.`,
  invalidUserId: (method: string, got: unknown) =>
    `HeartbeatService.${method}(): the user id must be a non-empty string of at most 128 characters, but got ${describe(got)}.`,
  invalidTopicArgument: (method: string, problem: string) => `HeartbeatService.${method}(): ${problem}`,
  invalidConnectionId: (method: string, got: unknown) =>
    `HeartbeatService.${method}(): the connection id must be a non-empty string, but got ${describe(got)}.`,
  handlerFailed: (type: string) => `The server failed to process the "${type}" frame; try again later.`,
  presenceDisabled: (topic: string) =>
    `The topic "${clip(topic)}" keeps no presence, so there are no members to send: you are subscribed to its events only. Subscribe without "presence", or ask the server's operator to list the topic in the HeartbeatModule option "presence".`,
  presenceUnavailable: (topic: string) =>
    `The members of "${clip(topic)}" could not be read just now: you are subscribed to its events. Subscribe again with "presence": true to get them.`,

  invalidHandlerTopic: (owner: string, problem: string) =>
    `@HeartbeatHandler() on ${owner} names a topic clients cannot send requests to: ${problem}`,
  handlerNotAMethod: (owner: string) => `@HeartbeatHandler() goes on a method, but ${owner} is not one.`,
  handlerOnStaticMethod: (owner: string) =>
    `@HeartbeatHandler() goes on an instance method of a provider or controller, but ${owner} is static: Nest calls handlers on the instances it makes. Remove "static".`,
  duplicateHandler: (topic: string, first: string, second: string) =>
    `Two @HeartbeatHandler("${topic}") methods, ${first} and ${second}: a topic has one handler, which answers each request. Give one of them another topic or remove it.`,
  handlerNotSingleton: (topic: string, owner: string) =>
    `@HeartbeatHandler("${topic}") on ${owner} cannot be called: ${owner.split('.')[0]} is request-scoped or transient (or depends on a request-scoped provider), ` +
    'but handlers run on the one instance made at startup. Make it a singleton (the default scope); read who is asking from the HeartbeatRequestContext argument.',
  noHandler: (topic: string) =>
    `No handler answers requests on "${topic}": check the topic's name, or add a @HeartbeatHandler("${topic}") method on the server.`,
  requestInvalid: (topic: string, messages: readonly string[]) =>
    `The data of the request to "${topic}" was refused: ${messages.join('; ')}. Fix the data and send the request again.`,
  requestForbidden: (topic: string, reason: string) =>
    `The request to "${topic}" was refused (${reason}): this connection's user may not make it.`,
  requestFailed: (topic: string) => `The handler of "${topic}" refused the request; "details" says why.`,
  requestInternalError: (topic: string) => `The server failed to answer the request to "${topic}"; try again later.`,

  logRedisUp: (nodeId: string, downForMs: number | undefined) =>
    downForMs === undefined ? `node ${nodeId} connected to Redis` : `node ${nodeId} reconnected to Redis after ${downForMs} ms; catching up`,
  logRedisUnreachable: (error: string) => `cannot connect to Redis (${error}): serving this node's clients alone, publishes wait; retrying with backoff`,
  redisReadOnly: (answer: string) =>
    `the Redis this node writes to is a read-only replica (${answer}): name its primary in redis.url (REDIS_URL), or name the sentinels that watch it in redis.sentinel (REDIS_SENTINELS)`,
  redisNotACluster: (answer: string) =>
    `the Redis named as a cluster (redis.cluster, REDIS_CLUSTER_NODES) runs without cluster mode (${answer}): name it with redis.url (REDIS_URL) instead, or start its servers with cluster-enabled yes`,
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
  logSessionClaimFailed: (session: string, error: string) =>
    `looking up session ${session} in Redis failed (${error}); the hello gets a new session (welcome.resumed: false)`,
  logSessionWriteFailed: (session: string, error: string) =>
    `writing session ${session} to Redis failed (${error}); the next keep-alive writes it again while its connection is open`,
  redisMessageBacklog: (limit: number) =>
    `${limit} client messages already wait for Redis to record their ids (redis.maxPendingPublishes): this one is refused, to be sent again once Redis answers`,
  redisNoAnswer: (ms: number) => `no answer within requestTimeout (${ms} ms)`,
  logRedisListenFailed: () => 'subscribing to the cluster control channel failed',
  logRedisReportFailed: (error: string) => `writing this node's stats report to Redis failed: ${error}`,
  logOpened: (id: string, address: string) => `connection ${id} opened from ${address}`,
  logSocketError: (id: string, message: string) => `connection ${id}: socket error: ${message}`,
  logAuthenticated: (id: string, session: string, resumed: boolean, userId: string | undefined) =>
    `connection ${id} authenticated ${userId === undefined ? 'anonymously' : `as user ${JSON.stringify(userId)}`} (session ${session}${resumed ? ', resumed' : ''})`,
  logSessionRefused: (id: string, session: string, userId: string | undefined) =>
    `connection ${id} (${userId === undefined ? 'anonymous' : `user ${JSON.stringify(userId)}`}) named session ${clip(session, 80)} of another user: ` +
    'it starts a new session, and the owner keeps theirs',
  logOtherUserAuth: (id: string, userId: string | undefined, tokenUser: string | undefined) =>
    `connection ${id} of ${userId === undefined ? 'an anonymous client' : `user ${JSON.stringify(userId)}`} sent an auth token of ` +
    `${tokenUser === undefined ? 'no user' : `user ${JSON.stringify(tokenUser)}`}; closing it with 4001`,
  logAuthorizeThrew: (topic: string, id: string) => `authorize threw for "${topic}" on connection ${id}; the topic was refused with internal_error`,
  logSuperseded: (id: string, by: string, session: string) =>
    `connection ${id} dropped: its session ${session} resumed on connection ${by} (the old link is presumed dead)`,
  logSupersededElsewhere: (id: string, node: string, by: string, session: string, outcome: string) =>
    `session ${session} resumed on connection ${by}, so its old connection ${id} on node ${node} was asked to close ` +
    `(the old link is presumed dead): ${outcome}`,
  supersedeDone: () => 'that node closed it',
  supersedeUnanswered: () =>
    'no node answered that it closed it (that node stopped, the connection had closed already, or the request did not reach it: ' +
    'a running node closes it once two keep-alives of the session, requestTimeout apart, find it taken)',
  supersedeFailed: (error: string) =>
    `the request could not be sent (${error}); if that node runs, it closes the connection once two keep-alives of the session, requestTimeout apart, find it taken`,
  logTakenElsewhere: (id: string, session: string, node: string) =>
    `connection ${id} closed: its session ${session} was resumed on node ${node}, as two keep-alives of the session found in Redis ` +
    '(the request to close it had not reached this node)',
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
    `verifyToken returned ${verdict} for connection ${id}: resolve true, false or { expiresAt?: <epoch ms>, userId?: <1 to 128 characters>, claims?: <plain object> } naming expiresAt or userId; closing it with 4001`,
  logVerifyTokenThrew: (id: string) => `verifyToken threw for connection ${id}; closing it with 1011`,
  logHandlerFailed: (type: string, id: string) => `handling a "${type}" frame from connection ${id} failed`,
  logRequestFailed: (topic: string, requestId: string, id: string) =>
    `the handler of "${topic}" failed on request ${requestId} of connection ${id}; the client was answered internal_error`,
  logAnswerDropped: (topic: string, requestId: string, id: string) =>
    `connection ${id} closed before the handler of "${topic}" answered its request ${requestId}: the answer is dropped`,
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

/** What an error says, for a log line: its message, or the thrown value itself. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
