import { EnvironmentInjector, Injectable, LOCALE_ID, PLATFORM_ID, createEnvironmentInjector, inject } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { withRequests as clientWithRequests, type HeartbeatClientOptions, type TokenProvider } from '@heartbeat/client';
import { EMPTY, of } from 'rxjs';
import { FakeHeartbeatClient } from '../testing/fake-heartbeat.client.js';
import { HEARTBEAT_STATUS_TEXTS, HEARTBEAT_STATUS_TEXTS_EN, HEARTBEAT_STATUS_TEXTS_ZH_CN, statusTextsForLocale } from './heartbeat-status.texts.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import {
  HeartbeatFeatureKind,
  provideHeartbeat,
  withClientFactory,
  withConnectOnStart,
  withDebug,
  withNetworkPreset,
  withOutbox,
  withPresence,
  withRequests,
  withResumeStorage,
  withStatusTexts,
  withTokenProvider,
  withTokenRefresh,
  type HeartbeatFeature,
} from './heartbeat.providers.js';
import { DEFAULT_HEARTBEAT_URL, HEARTBEAT_CLIENT_OPTIONS, type HeartbeatConfig } from './heartbeat.tokens.js';
import { WebSocketStore } from './web-socket.store.js';

@Injectable({ providedIn: 'root' })
class AuthService {
  issued = 0;
  token(): string {
    this.issued += 1;
    return `token-${this.issued}`;
  }
}

describe('provideHeartbeat', () => {
  let client: FakeHeartbeatClient;
  let factory: jest.Mock<FakeHeartbeatClient, [HeartbeatClientOptions]>;

  beforeEach(() => {
    factory = jest.fn((options: HeartbeatClientOptions) => {
      client = new FakeHeartbeatClient(options);
      return client;
    });
  });

  /** The options the client factory receives for this config and these features. */
  function optionsFor(config: HeartbeatConfig, ...features: HeartbeatFeature[]): HeartbeatClientOptions {
    TestBed.configureTestingModule({ providers: [provideHeartbeat(config, withClientFactory(factory), ...features)] });
    TestBed.inject(WebSocketStore);
    expect(factory).toHaveBeenCalledTimes(1);
    return factory.mock.calls[0]![0];
  }

  describe('#provideHeartbeat', () => {
    it("connects to /ws on the page's origin when no url is given", () => {
      expect(optionsFor({}).url).toBe(DEFAULT_HEARTBEAT_URL);
      expect(DEFAULT_HEARTBEAT_URL).toBe('/ws');
    });

    it('passes the url and every client option through', () => {
      const options = optionsFor({ url: 'wss://example.com/ws', maxReconnectAttempts: 7, jitter: 0, autoReconnect: false });

      expect(options).toEqual({ url: 'wss://example.com/ws', maxReconnectAttempts: 7, jitter: 0, autoReconnect: false });
    });

    it('refuses an empty url with a message that says what to pass', () => {
      expect(() => provideHeartbeat({ url: '  ' })).toThrow(HeartbeatMessages.emptyUrl());
    });

    it('refuses the same feature twice', () => {
      expect(() => provideHeartbeat({}, withDebug(), withDebug())).toThrow(
        HeartbeatMessages.duplicateFeature(HeartbeatFeatureKind.Debug),
      );
    });

    it('creates one client per injector and hands out the same store', () => {
      TestBed.configureTestingModule({ providers: [provideHeartbeat({}, withClientFactory(factory))] });

      expect(TestBed.inject(WebSocketStore)).toBe(TestBed.inject(WebSocketStore));
      expect(factory).toHaveBeenCalledTimes(1);
    });

    it('exposes the resolved options as HEARTBEAT_CLIENT_OPTIONS', () => {
      TestBed.configureTestingModule({ providers: [provideHeartbeat({ url: '/live' }, withNetworkPreset('mobile'))] });

      expect(TestBed.inject(HEARTBEAT_CLIENT_OPTIONS)).toEqual({ url: '/live', preset: 'mobile' });
    });
  });

  describe('#withNetworkPreset', () => {
    it('sets the preset the client applies under explicit options', () => {
      const options = optionsFor({ pingInterval: 20_000 }, withNetworkPreset('unstable'));

      expect(options.preset).toBe('unstable');
      expect(options.pingInterval).toBe(20_000);
    });

    it('refuses a preset that does not exist', () => {
      expect(() => withNetworkPreset('satellite' as never)).toThrow(HeartbeatMessages.unknownPreset('satellite'));
    });

    it('refuses a different preset in the config', () => {
      expect(() => optionsFor({ preset: 'stable' }, withNetworkPreset('mobile'))).toThrow(
        HeartbeatMessages.presetConflict('stable', 'mobile'),
      );
    });
  });

  describe('client features (withOutbox, withRequests, withResumeStorage, withTokenRefresh)', () => {
    it('installs none unless asked', () => {
      expect(optionsFor({}).features).toBeUndefined();
    });

    it('hands the client one feature per with*() call, after those in the config', () => {
      const fromConfig = clientWithRequests();
      const options = optionsFor(
        { features: [fromConfig] },
        withOutbox({ maxMessages: 10 }),
        withResumeStorage({ broadcastChannel: false }),
        withTokenRefresh(),
        withPresence(),
      );

      expect(options.features?.map((installed) => installed.kind)).toEqual(['requests', 'outbox', 'resumeStorage', 'tokenRefresh', 'presence']);
      expect(options.features?.[0]).toBe(fromConfig);
    });

    it('refuses the same feature twice', () => {
      expect(() => provideHeartbeat({}, withRequests(), withRequests())).toThrow(HeartbeatMessages.duplicateFeature(HeartbeatFeatureKind.Requests));
    });
  });

  describe('#withTokenProvider', () => {
    it('asks the factory, in an injection context, on every attempt', async () => {
      const options = optionsFor({}, withTokenProvider(() => inject(AuthService).token()));
      const token = options.token as TokenProvider;

      expect(await token()).toBe('token-1');
      expect(await token()).toBe('token-2');
      expect(TestBed.inject(AuthService).issued).toBe(2);
    });

    it('waits for a Promise', async () => {
      const options = optionsFor({}, withTokenProvider(() => Promise.resolve('p')));

      expect(await (options.token as TokenProvider)()).toBe('p');
    });

    it('takes the first value of an Observable', async () => {
      const options = optionsFor({}, withTokenProvider(() => of('o1', 'o2')));

      expect(await (options.token as TokenProvider)()).toBe('o1');
    });

    it('treats an Observable that completes empty as no token', async () => {
      const options = optionsFor({}, withTokenProvider(() => EMPTY));

      expect(await (options.token as TokenProvider)()).toBeNull();
    });

    it('refuses a token in the config as well', () => {
      expect(() => optionsFor({ token: 'static' }, withTokenProvider(() => 'dynamic'))).toThrow(HeartbeatMessages.tokenConflict());
    });

    it('refuses something that is not a function', () => {
      expect(() => withTokenProvider('static' as never)).toThrow(HeartbeatMessages.notAFunction('withTokenProvider()', 'static'));
    });
  });

  describe('#withDebug', () => {
    it('turns console logging on', () => {
      expect(optionsFor({}, withDebug()).debug).toBe(true);
    });

    it('passes a logger of its own', () => {
      const logger = jest.fn();

      expect(optionsFor({}, withDebug(logger)).debug).toBe(logger);
    });

    it('refuses debug in the config as well', () => {
      expect(() => optionsFor({ debug: false }, withDebug())).toThrow(HeartbeatMessages.debugConflict());
    });
  });

  describe('#withConnectOnStart', () => {
    function start(...providers: unknown[]): void {
      TestBed.configureTestingModule({ providers: providers as never[] });
      TestBed.inject(EnvironmentInjector);
    }

    it('turns auto-reconnect on and connects when the injector starts', () => {
      start(provideHeartbeat({}, withClientFactory(factory), withConnectOnStart()));

      expect(client.calls).toEqual(['enableAutoReconnect', 'connect']);
      expect(TestBed.inject(WebSocketStore).status()).toBe('connected');
    });

    it('does nothing without the feature, or when turned off', () => {
      start(provideHeartbeat({}, withClientFactory(factory)));
      TestBed.resetTestingModule();
      start(provideHeartbeat({}, withClientFactory(factory), withConnectOnStart(false)));

      expect(factory).not.toHaveBeenCalled();
    });

    it('does not connect during server-side rendering', () => {
      start(provideHeartbeat({}, withClientFactory(factory), withConnectOnStart()), { provide: PLATFORM_ID, useValue: 'server' });

      expect(factory).not.toHaveBeenCalled();
    });

    it('keeps a failed first attempt out of the unhandled rejections', async () => {
      const unhandled = jest.fn();
      process.on('unhandledRejection', unhandled);
      try {
        const failing = new FakeHeartbeatClient();
        jest.spyOn(failing, 'connect').mockRejectedValue(new Error('refused'));
        start(provideHeartbeat({}, withClientFactory(() => failing), withConnectOnStart()));
        await new Promise((resolve) => setTimeout(resolve, 0));

        expect(failing.connect).toHaveBeenCalledTimes(1);
        expect(unhandled).not.toHaveBeenCalled();
      } finally {
        process.off('unhandledRejection', unhandled);
      }
    });

    it('works for a route-level injector too', () => {
      const route = createEnvironmentInjector(
        [provideHeartbeat({}, withClientFactory(factory), withConnectOnStart())],
        TestBed.inject(EnvironmentInjector),
      );

      expect(client.calls).toEqual(['enableAutoReconnect', 'connect']);
      route.destroy();
      expect(client.destroyed).toBe(true);
    });
  });

  describe('#withStatusTexts', () => {
    it('replaces texts over the English defaults', () => {
      TestBed.configureTestingModule({
        providers: [
          { provide: LOCALE_ID, useValue: 'zh-CN' },
          provideHeartbeat({}, withStatusTexts({ statuses: { connected: 'Online' } })),
        ],
      });
      const texts = TestBed.inject(HEARTBEAT_STATUS_TEXTS);

      expect(texts.statuses.connected).toBe('Online');
      expect(texts.statuses.error).toBe(HEARTBEAT_STATUS_TEXTS_EN.statuses.error);
    });

    it("follows the app's LOCALE_ID with statusTextsForLocale", () => {
      TestBed.configureTestingModule({
        providers: [{ provide: LOCALE_ID, useValue: 'zh-CN' }, provideHeartbeat({}, withStatusTexts(statusTextsForLocale))],
      });

      expect(TestBed.inject(HEARTBEAT_STATUS_TEXTS)).toEqual(HEARTBEAT_STATUS_TEXTS_ZH_CN);
    });

    it('hands a function the locale', () => {
      const translate = jest.fn((locale: string) => ({ reset: `reset (${locale})` }));
      TestBed.configureTestingModule({
        providers: [{ provide: LOCALE_ID, useValue: 'de-DE' }, provideHeartbeat({}, withStatusTexts(translate))],
      });

      expect(TestBed.inject(HEARTBEAT_STATUS_TEXTS).reset).toBe('reset (de-DE)');
      expect(translate).toHaveBeenCalledWith('de-DE');
    });
  });

  describe('#withClientFactory', () => {
    it('refuses something that is not a function', () => {
      expect(() => withClientFactory(null as never)).toThrow(HeartbeatMessages.notAFunction('withClientFactory()', null));
    });
  });
});
