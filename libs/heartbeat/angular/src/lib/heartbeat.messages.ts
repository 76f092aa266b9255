/**
 * Every text of the Angular layer that reaches a developer (thrown errors) lives here. The examples in
 * them are for development: `typeof ngDevMode === 'undefined' || ngDevMode` is false in an Angular CLI
 * production build, whose bundler then drops them, and each text still says what was wrong and what to
 * do (docs/angular.md#texts-in-production-builds). The check is written out where it is used: a
 * bundler folds it there, but not through a constant of this module.
 */
export const HeartbeatMessages = {
  storeNotProvided: () =>
    'WebSocketStore is not provided: add provideHeartbeat(' +
    ((typeof ngDevMode === 'undefined' || ngDevMode)
      ? '{ url: "/ws" }) to the providers in app.config.ts (or to the providers of the route that uses it).'
      : ') to the providers.'),
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
    'provideHeartbeat() got an empty `url`: ' +
    ((typeof ngDevMode === 'undefined' || ngDevMode)
      ? 'pass the server endpoint, e.g. "/ws" or "wss://example.com/ws", or leave `url` out to use "/ws" on the page\'s own origin.'
      : 'pass the server endpoint, or leave `url` out.'),
  notAFunction: (feature: string, value: unknown) =>
    `${feature} needs a function, got ${value === null ? 'null' : typeof value}` +
    ((typeof ngDevMode === 'undefined' || ngDevMode) ? '; pass a function such as () => inject(AuthService).token().' : '; pass a function.'),
} as const;
