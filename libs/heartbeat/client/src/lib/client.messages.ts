/** Every text the client shows to users (errors, `lastError`, debug lines) lives here. */
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

  tokenProviderFailed: (cause: string) => `The token provider failed (${cause}); the attempt counts as failed and will be retried.`,
  connectTimedOut: (ms: number) => `No welcome from the server within connectTimeout (${ms} ms).`,
  socketCreateFailed: (cause: string) => `The WebSocket could not be created: ${cause}`,
  closedBeforeWelcome: (code: number, reason: string) =>
    `The server closed the connection before welcome (code ${code}${reason ? `: ${reason}` : ''}).`,
  connectionClosed: (code: number, meaning: string, reason: string) =>
    `Connection closed with ${code} (${meaning})${reason ? `: ${reason}` : ''}.`,
  heartbeatTimeout: (missed: number, silentMs: number) =>
    `The server did not answer ${missed} pings in a row and sent nothing for ${Math.round(silentMs)} ms; the connection is considered dead.`,
  unauthorizedTwice: () =>
    'The server rejected the token twice in a row (4001); check the token or the token provider, then call connect().',
  attemptsExhausted: (attempts: number, willRetry: boolean, retryMs: number) =>
    willRetry
      ? `Could not reconnect after ${attempts} attempts; retrying every ${Math.round(retryMs / 1000)} s.`
      : `Could not reconnect after ${attempts} attempts; call connect() to try again.`,
  offline: () => 'The browser reports no network; reconnecting when it is back online.',
  disconnectedByClient: () => 'disconnect() was called before the connection was established.',
  notConnectedForSend: () => 'Cannot send: the client is not connected. Wait for status "connected" (or connection_established) and send again.',
  connectionLostBeforeAck: () => 'The connection was lost before the server acknowledged the message; send it again after reconnecting.',
  invalidFrame: (detail: string) => `The server sent a frame the client does not understand (${detail}); it was ignored.`,
  serverError: (code: string, message: string) => `The server reported ${code}: ${message}`,
  handlerThrew: (event: string) => `A handler for "${event}" threw; the other handlers still ran.`,
} as const;
