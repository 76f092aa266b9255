/** Every text of the Angular layer that reaches a developer (thrown errors) lives here. */
export const HeartbeatMessages = {
  storeNotProvided: () =>
    'WebSocketStore is not provided: add provideHeartbeat({ url: "/ws" }) to the providers in app.config.ts ' +
    '(or to the providers of the route that uses it).',
  duplicateFeature: (kind: string) =>
    `provideHeartbeat() got the ${kind} feature more than once; pass each with*() feature once.`,
  presetConflict: (configPreset: string, featurePreset: string) =>
    `provideHeartbeat() got preset "${configPreset}" in its config and withNetworkPreset("${featurePreset}"); ` +
    'keep only one of them.',
  tokenConflict: () =>
    'provideHeartbeat() got a `token` in its config and withTokenProvider() as well; keep only one of them.',
  debugConflict: () =>
    'provideHeartbeat() got `debug` in its config and withDebug() as well; keep only one of them.',
  unknownPreset: (preset: unknown) =>
    `withNetworkPreset() got ${JSON.stringify(preset)}; use "stable", "unstable" or "mobile".`,
  emptyUrl: () =>
    'provideHeartbeat() got an empty `url`: pass the server endpoint, e.g. "/ws" or "wss://example.com/ws", ' +
    'or leave `url` out to use "/ws" on the page\'s own origin.',
  notAFunction: (feature: string, value: unknown) =>
    `${feature} needs a function, got ${value === null ? 'null' : typeof value}; pass a function such as () => inject(AuthService).token().`,
} as const;
