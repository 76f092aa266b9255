import { HeartbeatMessages } from './heartbeat.messages.js';

/** Calls `text` as in a production build, where ngDevMode is false (docs/angular.md#texts-in-production-builds). */
function inProduction(text: () => string): string {
  const global = globalThis as { ngDevMode?: unknown };
  const devMode = global.ngDevMode;
  global.ngDevMode = false;
  try {
    return text();
  } finally {
    global.ngDevMode = devMode;
  }
}

describe('HeartbeatMessages', () => {
  it('gives the examples in development', () => {
    expect(HeartbeatMessages.storeNotProvided()).toContain('provideHeartbeat({ url: "/ws" }) to the providers in app.config.ts');
    expect(HeartbeatMessages.notAFunction('withTokenProvider()', 'static')).toContain('() => inject(AuthService).token()');
  });

  it('still says what was wrong and what to do in production, without the examples', () => {
    expect(inProduction(() => HeartbeatMessages.storeNotProvided())).toBe('WebSocketStore is not provided: add provideHeartbeat() to the providers.');
    expect(inProduction(() => HeartbeatMessages.emptyUrl())).toBe('provideHeartbeat() got an empty `url`: pass the server endpoint, or leave `url` out.');
    expect(inProduction(() => HeartbeatMessages.notAFunction('withTokenProvider()', 'static'))).toBe(
      'withTokenProvider() needs a function, got string; pass a function.',
    );
  });
});
