/**
 * The features' texts (docs/client.md#features), one object per feature: a bundle carries the texts
 * of the features it installs. The core's are in client.messages.ts.
 */

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
    `The request option \`timeout\` must be a positive number of milliseconds, got ${JSON.stringify(value)}; leave it out to use withRequests()' timeout (10000 ms unless set).`,
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
    'withResumeStorage() option `broadcastChannel` must be a function that creates a BroadcastChannel-like object for a name, or false for none.',
  sessionYielded: (sessionId: string) =>
    `Another tab of this browser uses session ${sessionId} (a duplicated tab shares its saved state); this page starts a new session on its next connection.`,
  persistenceInvalid: () =>
    'withResumeStorage() option `storage` must be a Storage-like object with getItem() and setItem() (e.g. sessionStorage); to keep nothing across reloads, leave withResumeStorage() out.',
  storedResumeIgnored: (key: string, problem: string) => `Ignored the saved resume state under "${key}": ${problem}.`,
  storageFailed: (operation: string, cause: string) => `Could not ${operation} the resume state in storage (${cause}); resuming after a reload may not work.`,
} as const;
