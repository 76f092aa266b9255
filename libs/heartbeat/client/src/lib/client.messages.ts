/**
 * The core's texts (errors, `lastError`, debug lines, and `errorText` for what was thrown), one
 * exported function each, imported as a namespace (`import * as ClientMessages`): a bundler then
 * keeps only the texts a bundle calls, under short names (docs/benchmarks.md#browser-bundle-esbuild).
 * The features' texts are in feature.messages.ts, one object per feature (docs/client.md#features).
 */

/** Angular's development-mode flag: Angular CLI's production builds define it as `false`. */
declare const ngDevMode: unknown;

/**
 * Whether the long texts are kept: the first-connection checklists and the option errors' examples.
 * False only where the app's build defines Angular's `ngDevMode` as false (Angular CLI's production
 * builds), and a bundler then drops them: those texts keep a short sentence saying what was wrong and
 * what to do (docs/client.md#texts-in-production-builds). Everywhere else (Node, tests, other
 * bundlers, Angular in development) it is true. esbuild folds such a constant only in a module that
 * imports nothing, as this one: tools/size/bundle-size.spec.mjs checks that the texts go.
 */
const DETAILED = typeof ngDevMode === 'undefined' || !!ngDevMode;

/** What went wrong, from anything thrown or rejected with: an Error's message, or the value as text. */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const urlMissing = () =>
  'HeartbeatClient needs a `url`: pass the server endpoint' +
  (DETAILED ? ', e.g. { url: "ws://localhost:3000/ws" }, or a path such as "/ws" in a browser.' : '.');
export const urlRelativeOutsideBrowser = (url: string) =>
  `HeartbeatClient got the relative url "${url}" ` +
  (DETAILED ? 'but there is no page address to resolve it against; pass an absolute ws:// or wss:// URL.' : 'outside a page: pass a ws:// or wss:// URL.');
export const urlInvalid = (url: string) =>
  `HeartbeatClient url "${url}" is not a valid URL; ` +
  (DETAILED ? 'pass e.g. "ws://localhost:3000/ws" or, in a browser, a path such as "/ws".' : 'pass a ws:// or wss:// URL, or a path.');
export const urlBadScheme = (url: string) =>
  `HeartbeatClient url "${url}" must start with ws://, wss://, http:// or https://.`;
export const noWebSocket = () =>
  'No WebSocket implementation is available: ' +
  (DETAILED ? 'in Node 20 pass `webSocket: WebSocket` from the "ws" package in the client options.' : 'pass `webSocket` in the client options.');
export const optionNotNumber = (name: string, value: unknown, rule: string) =>
  `HeartbeatClient option \`${name}\` must be ${rule}, got ${JSON.stringify(value)}; remove it to use the default.`;
export const unknownPreset = (preset: unknown) =>
  `HeartbeatClient option \`preset\` must be "stable", "unstable" or "mobile", got ${JSON.stringify(preset)}.`;
export const pongTimeoutTooLong = (pongTimeout: number, pingInterval: number) =>
  `HeartbeatClient option \`pongTimeout\` (${pongTimeout} ms) must be shorter than \`pingInterval\` (${pingInterval} ms)` +
  (DETAILED ? ', or a ping is counted missed only after the next one is sent.' : '.');
export const destroyed = () => 'This HeartbeatClient was destroyed; create a new one.';
export const featureMissing = (method: string, feature: string) =>
  `${method} needs the ${feature} feature, which this HeartbeatClient was created without: ` +
  (DETAILED
    ? `add it to the options' \`features\` (new HeartbeatClient({ url, features: [${feature}] })), or in Angular to provideHeartbeat(config, ${feature}).`
    : "add it to the options' `features`, or in Angular to provideHeartbeat().");
export const featureTwice = (kind: string) => `HeartbeatClient option \`features\` lists the ${kind} feature more than once; give each with*() feature once.`;
export const tokenProviderFailed = (cause: string) => `The token provider failed (${cause}); the attempt counts as failed and will be retried.`;
export const tokenProviderTimedOut = (ms: number) =>
  `The token provider did not answer within connectTimeout (${ms} ms); the attempt counts as failed and will be retried.`;
export const openTimedOut = (url: string, ms: number) =>
  `The WebSocket to ${url} did not open within connectTimeout (${ms} ms): ` +
  (DETAILED
    ? 'the server, or a proxy or firewall on the way, is not answering. Check the host, port and path in the url (a dev server such as ng serve holds an upgrade to a path its proxy does not pass on), or raise connectTimeout on a slow network.'
    : 'check the url, and that the server is running.');
export const noWelcome = (url: string, ms: number) =>
  `The server at ${url} accepted the WebSocket but sent no welcome within connectTimeout (${ms} ms): ` +
  (DETAILED
    ? 'it does not look like a Heartbeat endpoint. Check the host, port and path in the url, and that no proxy in the way holds back the frames.'
    : 'check that the url is the Heartbeat endpoint.');
export const socketCreateFailed = (cause: string) => `The WebSocket could not be created: ${cause}`;
export const closedBeforeWelcome = (code: number, reason: string) =>
  `The server closed the connection before welcome (code ${code}${reason ? `: ${reason}` : ''}).`;
export const tokenRejected = (reason: string) =>
  `The server rejected the token (4001${reason ? `: ${reason}` : ''}): check the token, or what the token provider returns.`;
export const upgradeFailed = (url: string, pageOrigin: string | null, detail: string | null) =>
  `The WebSocket upgrade at ${url} failed before the connection opened (${detail ?? 'the browser does not say why'}). ` +
  (DETAILED
    ? `Check: is the Heartbeat server running at that URL (behind a dev server's proxy, such as ng serve's, at the proxy's target: the dev server's terminal shows the proxy's error); is the path right (e.g. "/ws"); ` +
      `does the server's \`allowedOrigins\` list this page's origin${pageOrigin ? ` (${pageOrigin})` : ''}; ` +
      'is a proxy in the way refusing WebSocket upgrades. The server logs refused origins and unknown paths.'
    : "Check that the server is running at that URL and that its `allowedOrigins` lists this page's origin.");
export const connectionClosed = (code: number, meaning: string, reason: string) =>
  `Connection closed with ${code} (${meaning})${reason ? `: ${reason}` : ''}.`;
export const heartbeatTimeout = (missed: number, silentMs: number) =>
  `The server did not answer ${missed} pings in a row and sent nothing for ${Math.round(silentMs)} ms; the connection is considered dead.`;
export const unauthorizedTwice = () =>
  'The server rejected the token twice in a row (4001); check the token or the token provider, then call connect().';
export const attemptsExhausted = (attempts: number, lastError: string) =>
  `Could not reconnect after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}; call connect() to try again. Last error: ${lastError}`;
export const offline = () => 'The browser reports no network; reconnecting when it is back online.';
export const disconnectedByClient = () => 'disconnect() was called before the connection was established.';
export const topicInvalid = (problem: string) => `${problem} See docs/protocol.md#topic-names.`;
export const topicRefused = (topic: string, code: string, message: string) =>
  `The server refused the topic "${topic}" (${code}): ${message} The topic is no longer subscribed; subscribe again once the connection may have it.`;
export const topicEnded = (topic: string, reason: string) =>
  `The server ended the subscription to "${topic}" (${reason}): the connection's token no longer allows it. Subscribe again after authenticating as a user who may.`;
export const invalidFrame = (detail: string) => `The server sent a frame the client does not understand (${detail}); it was ignored.`;
export const serverError = (code: string, message: string) => `The server reported ${code}: ${message}`;
export const handlerThrew = (event: string) => `A handler for "${event}" threw; the other handlers still ran.`;
