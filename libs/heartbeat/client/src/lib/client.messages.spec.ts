import * as ClientMessages from './client.messages.js';

/** The texts as an Angular CLI production build has them (docs/client.md#texts-in-production-builds). */
async function productionMessages(): Promise<typeof ClientMessages> {
  const global = globalThis as { ngDevMode?: unknown };
  global.ngDevMode = false;
  try {
    // A fresh copy of the module, which reads ngDevMode when it is evaluated (a query makes it another module).
    const freshCopy = './client.messages.js?production';
    return (await import(freshCopy)) as typeof ClientMessages;
  } finally {
    delete global.ngDevMode;
  }
}

describe('client.messages', () => {
  it('keeps the first-connection checklists and the examples where ngDevMode is not defined', () => {
    expect(ClientMessages.upgradeFailed('ws://localhost:3000/ws', 'http://localhost:4200', null)).toContain(
      'Check: is the Heartbeat server running at that URL',
    );
    expect(ClientMessages.urlMissing()).toContain('{ url: "ws://localhost:3000/ws" }');
  });

  describe('where a production build defines ngDevMode as false', () => {
    it.each([
      [
        'upgradeFailed',
        (m: typeof ClientMessages) => m.upgradeFailed('ws://localhost:3000/ws', 'http://localhost:4200', null),
        'The WebSocket upgrade at ws://localhost:3000/ws failed before the connection opened (the browser does not say why). ' +
          "Check that the server is running at that URL and that its `allowedOrigins` lists this page's origin.",
      ],
      [
        'openTimedOut',
        (m: typeof ClientMessages) => m.openTimedOut('ws://localhost:3000/ws', 10_000),
        'The WebSocket to ws://localhost:3000/ws did not open within connectTimeout (10000 ms): check the url, and that the server is running.',
      ],
      [
        'noWelcome',
        (m: typeof ClientMessages) => m.noWelcome('ws://localhost:3000/ws', 10_000),
        'The server at ws://localhost:3000/ws accepted the WebSocket but sent no welcome within connectTimeout (10000 ms): check that the url is the Heartbeat endpoint.',
      ],
      ['urlMissing', (m: typeof ClientMessages) => m.urlMissing(), 'HeartbeatClient needs a `url`: pass the server endpoint.'],
      [
        'urlRelativeOutsideBrowser',
        (m: typeof ClientMessages) => m.urlRelativeOutsideBrowser('/ws'),
        'HeartbeatClient got the relative url "/ws" outside a page: pass a ws:// or wss:// URL.',
      ],
      [
        'urlInvalid',
        (m: typeof ClientMessages) => m.urlInvalid('ws://'),
        'HeartbeatClient url "ws://" is not a valid URL; pass a ws:// or wss:// URL, or a path.',
      ],
      ['noWebSocket', (m: typeof ClientMessages) => m.noWebSocket(), 'No WebSocket implementation is available: pass `webSocket` in the client options.'],
      [
        'pongTimeoutTooLong',
        (m: typeof ClientMessages) => m.pongTimeoutTooLong(10_000, 1_000),
        'HeartbeatClient option `pongTimeout` (10000 ms) must be shorter than `pingInterval` (1000 ms).',
      ],
      [
        'featureMissing',
        (m: typeof ClientMessages) => m.featureMissing('send()', 'withOutbox()'),
        "send() needs the withOutbox() feature, which this HeartbeatClient was created without: add it to the options' `features`, or in Angular to provideHeartbeat().",
      ],
    ])('%s still says what was wrong and what to do, without the details', async (_name, text, expected) => {
      expect(text(await productionMessages())).toBe(expected);
    });
  });
});
