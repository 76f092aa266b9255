/** Every text the client shows to users (errors, `lastError`, debug lines) lives here, one object per feature (docs/client.md#features): a bundle carries the texts of the features it installs. */
export const ClientMessages = {
  urlMissing: () =>
    'HeartbeatClient needs a `url`: pass the server endpoint, e.g. { url: "ws://localhost:3000/ws" }, or a path such as "/ws" in a browser.',
  urlRelativeOutsideBrowser: (url: string) =>
    `HeartbeatClient got the relative url "${url}" but there is no page address to resolve it against; pass an absolute ws:// or wss:// URL.`,
  urlInvalid: (url: string) =>
    `HeartbeatClient url "${url}" is not a valid URL; pass e.g. "ws://localhost:3000/ws" or, in a browser, a path such as "/ws".`,
  urlBadScheme: (url: string) =>
    `HeartbeatClient url "${url}" must start with ws://, wss://, http:// or https://.`,
  noWebSocket: () =>
    'No WebSocket implementation is available: in Node 20 pass `webSocket: WebSocket` from the "ws" package in the client options.',
  optionNotNumber: (name: string, value: unknown, rule: string) =>
    `HeartbeatClient option \`${name}\` must be ${rule}, got ${JSON.stringify(value)}; remove it to use the default.`,
  unknownPreset: (preset: unknown) =>
    `HeartbeatClient option \`preset\` must be "stable", "unstable" or "mobile", got ${JSON.stringify(preset)}.`,
  pongTimeoutTooLong: (pongTimeout: number, pingInterval: number) =>
    `HeartbeatClient option \`pongTimeout\` (${pongTimeout} ms) must be shorter than \`pingInterval\` (${pingInterval} ms), or a ping is counted missed only after the next one is sent.`,
  destroyed: () => 'This HeartbeatClient was destroyed; create a new one.',
  featureMissing: (method: string, feature: string) =>
    `${method} needs the ${feature} feature, which this HeartbeatClient was created without: add it to the options' \`features\` ` +
    `(new HeartbeatClient({ url, features: [${feature}] })), or in Angular to provideHeartbeat(config, ${feature}).`,
  featureTwice: (kind: string) => `HeartbeatClient option \`features\` lists the ${kind} feature more than once; give each with*() feature once.`,
  tokenProviderFailed: (cause: string) => `The token provider failed (${cause}); the attempt counts as failed and will be retried.`,
  tokenProviderTimedOut: (ms: number) =>
    `The token provider did not answer within connectTimeout (${ms} ms); the attempt counts as failed and will be retried.`,
  openTimedOut: (url: string, ms: number) =>
    `The WebSocket to ${url} did not open within connectTimeout (${ms} ms): the server, or a proxy or firewall on the way, is not answering. Check the host, port and path in the url (a dev server such as ng serve holds an upgrade to a path its proxy does not pass on), or raise connectTimeout on a slow network.`,
  noWelcome: (url: string, ms: number) =>
    `The server at ${url} accepted the WebSocket but sent no welcome within connectTimeout (${ms} ms): it does not look like a Heartbeat endpoint. Check the host, port and path in the url, and that no proxy in the way holds back the frames.`,
  socketCreateFailed: (cause: string) => `The WebSocket could not be created: ${cause}`,
  closedBeforeWelcome: (code: number, reason: string) =>
    `The server closed the connection before welcome (code ${code}${reason ? `: ${reason}` : ''}).`,
  tokenRejected: (reason: string) =>
    `The server rejected the token (4001${reason ? `: ${reason}` : ''}): check the token, or what the token provider returns.`,
  upgradeFailed: (url: string, pageOrigin: string | null, detail: string | null) =>
    `The WebSocket upgrade at ${url} failed before the connection opened (${detail ?? 'the browser does not say why'}). ` +
    `Check: is the Heartbeat server running at that URL (behind a dev server's proxy, such as ng serve's, at the proxy's target: the dev server's terminal shows the proxy's error); is the path right (e.g. "/ws"); ` +
    `does the server's \`allowedOrigins\` list this page's origin${pageOrigin ? ` (${pageOrigin})` : ''}; ` +
    'is a proxy in the way refusing WebSocket upgrades. The server logs refused origins and unknown paths.',
  connectionClosed: (code: number, meaning: string, reason: string) =>
    `Connection closed with ${code} (${meaning})${reason ? `: ${reason}` : ''}.`,
  heartbeatTimeout: (missed: number, silentMs: number) =>
    `The server did not answer ${missed} pings in a row and sent nothing for ${Math.round(silentMs)} ms; the connection is considered dead.`,
  unauthorizedTwice: () =>
    'The server rejected the token twice in a row (4001); check the token or the token provider, then call connect().',
  attemptsExhausted: (attempts: number, lastError: string) =>
    `Could not reconnect after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}; call connect() to try again. Last error: ${lastError}`,
  offline: () => 'The browser reports no network; reconnecting when it is back online.',
  disconnectedByClient: () => 'disconnect() was called before the connection was established.',
  topicInvalid: (problem: string) => `${problem} See docs/protocol.md#topic-names.`,
  topicRefused: (topic: string, code: string, message: string) =>
    `The server refused the topic "${topic}" (${code}): ${message} The topic is no longer subscribed; subscribe again once the connection may have it.`,
  topicEnded: (topic: string, reason: string) =>
    `The server ended the subscription to "${topic}" (${reason}): the connection's token no longer allows it. Subscribe again after authenticating as a user who may.`,
  invalidFrame: (detail: string) => `The server sent a frame the client does not understand (${detail}); it was ignored.`,
  serverError: (code: string, message: string) => `The server reported ${code}: ${message}`,
  handlerThrew: (event: string) => `A handler for "${event}" threw; the other handlers still ran.`,
} as const;

/** Node's first-connection causes, from what `ws` reports (withNodeDiagnostics()). */
export const NodeDiagnosticsMessages = {
  connectionRefused: (url: string, host: string) =>
    `Connection refused by ${host} (ECONNREFUSED): is the Heartbeat server running at ${url}? Start it, or fix the host and port in the url.`,
  hostNotFound: (host: string, code: string) => `The host "${host}" could not be found (${code}): check the host name in the url.`,
  notFound: (url: string, path: string) =>
    `The server answered the WebSocket upgrade at ${url} with HTTP 404: nothing serves WebSockets at the path "${path}". Check the path in the url (the Heartbeat endpoint is "/ws" unless the server's \`path\` option says otherwise).`,
  upgradeDropped: (url: string, path: string) =>
    `The server closed the connection during the WebSocket upgrade at ${url} without an HTTP response (socket hang up): usually nothing serves WebSockets at the path "${path}". Check the path in the url (e.g. "/ws"), and that no proxy in the way drops upgrades.`,
  originRefused: (url: string) =>
    `The server refused the WebSocket upgrade at ${url} with HTTP 403: its \`allowedOrigins\` does not accept this client's Origin header. List the origin in the server's \`allowedOrigins\`; a Node client sends no Origin header, which a list always refuses (use a predicate that accepts undefined).`,
  httpStatus: (url: string, status: number) =>
    `The server answered the WebSocket upgrade at ${url} with HTTP ${status} instead of switching protocols: check the url, and any proxy or authentication in front of the server.`,
  serviceUnavailable: (url: string) =>
    `The server at ${url} answered the WebSocket upgrade with HTTP 503 (unavailable, e.g. restarting); retrying.`,
  networkFailed: (url: string, detail: string) =>
    `Could not connect to ${url} (${detail}): check the host and port in the url, and the network between here and the server.`,
} as const;

/** send() and the outbox (withOutbox()). */
export const OutboxMessages = {
  outboxOptionInvalid: (name: string, value: unknown) =>
    `withOutbox() option \`${name}\` must be a whole number, 1 or more, got ${JSON.stringify(value)}; remove it to use the default.`,
  messageTooLarge: (bytes: number, maxBytes: number) =>
    `Cannot send: the message is ${bytes} bytes, more than the whole outbox may hold (withOutbox's maxBytes = ${maxBytes}); send less data or raise maxBytes.`,
  outboxFullMessages: (count: number, maxMessages: number) =>
    `Cannot send: ${count} messages are already waiting for the server's acknowledgement (withOutbox's maxMessages = ${maxMessages}); wait for earlier sends to resolve, or raise maxMessages.`,
  outboxFullBytes: (bytes: number, adding: number, maxBytes: number) =>
    `Cannot send: the ${adding}-byte message does not fit next to the ${bytes} bytes already waiting for the server's acknowledgement (withOutbox's maxBytes = ${maxBytes}); wait for earlier sends to resolve, or raise maxBytes.`,
  sendDataMissing: () => 'Cannot send: `data` is undefined, which JSON cannot carry; pass null to send no data.',
  sendDataNotJson: (cause: string) => `Cannot send: \`data\` cannot be encoded as JSON (${cause}); send plain objects, arrays, strings, numbers, booleans or null.`,
  sendCancelledByDisconnect: () =>
    'The message was not acknowledged before disconnect() was called; it may or may not have reached the server. Send it again after connect() if it still matters.',
  sendCancelledByDestroy: () =>
    'The message was not acknowledged before the client was destroyed; it may or may not have reached the server.',
  messageRefused: (code: string, message: string) => `The server refused the message (${code}): ${message}`,
} as const;

/** request() (withRequests()). */
export const RequestMessages = {
  requestTimedOut: (topic: string, ms: number, sent: boolean) =>
    sent
      ? `The request on "${topic}" got no answer within ${ms} ms; it was sent, so the handler may or may not have run. Check that it did before asking again, or raise the timeout.`
      : `The request on "${topic}" was not sent: there was no connection within its timeout (${ms} ms). Try again once connected, or raise the timeout.`,
  requestConnectionLost: (topic: string) =>
    `The connection ended after the request on "${topic}" was sent and before its answer: the handler may or may not have run. Check that it did before asking again.`,
  requestDestroyed: () => 'The request was not answered before the client was destroyed; the handler may or may not have run.',
  requestRefused: (topic: string, code: string, message: string) => `The request on "${topic}" failed (${code}): ${message}`,
  requestDataNotJson: (cause: string) =>
    `Cannot request: \`data\` cannot be encoded as JSON (${cause}); send plain objects, arrays, strings, numbers, booleans or null.`,
  requestTimeoutOptionInvalid: (value: unknown) =>
    `withRequests() option \`timeout\` must be a positive number of milliseconds, got ${JSON.stringify(value)}; remove it to use the default (10000 ms).`,
  requestTimeoutInvalid: (value: unknown) =>
    `The request option \`timeout\` must be a positive number of milliseconds, got ${JSON.stringify(value)}; leave it out to use the client's requestTimeout.`,
} as const;

/** presence$() (withPresence()). */
export const PresenceMessages = {
  presenceRefused: (topic: string, code: string, message: string) =>
    `The server refused the presence of "${topic}" (${code}): ${message} The topic's events are still delivered.`,
} as const;

/** Token refresh (withTokenRefresh()). */
export const TokenRefreshMessages = {
  tokenRefreshStaticToken: () =>
    'The server says the token expires, but the token option is a fixed string: it cannot be refreshed, so the server will close the connection with 4001 then. Pass a token provider function to refresh it.',
  tokenRefreshFailed: (cause: string, willRetry: boolean) =>
    willRetry
      ? `Refreshing the token failed (${cause}); trying again before it expires.`
      : `Refreshing the token failed (${cause}) and there is no time left to try again; the server will close the connection with 4001 at expiry and the client will reconnect with a token from the provider.`,
  tokenRefreshNoToken: () => 'the token provider returned no token',
  tokenRefreshNotLater: () =>
    'The refreshed token expires no later than the one it replaces; not refreshing again. Make the token provider return a new token.',
  tokenRefreshRejected: (message: string) => `the server refused the auth frame: ${message}`,
} as const;

/** Resume across page reloads and tab session claims (withResumeStorage()). */
export const ResumeMessages = {
  broadcastChannelInvalid: () =>
    'HeartbeatClient option `broadcastChannel` must be a function that creates a BroadcastChannel-like object for a name, or false for none.',
  sessionYielded: (sessionId: string) =>
    `Another tab of this browser uses session ${sessionId} (a duplicated tab shares its saved state); this page starts a new session on its next connection.`,
  persistenceInvalid: () =>
    'HeartbeatClient option `persistence` must be a Storage-like object with getItem() and setItem() (e.g. sessionStorage), or false for none.',
  storedResumeIgnored: (key: string, problem: string) => `Ignored the saved resume state under "${key}": ${problem}.`,
  storageFailed: (operation: string, cause: string) => `Could not ${operation} the resume state in storage (${cause}); resuming after a reload may not work.`,
} as const;
