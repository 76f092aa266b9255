import { isPlatformServer } from '@angular/common';
import {
  Injector,
  LOCALE_ID,
  PLATFORM_ID,
  inject,
  makeEnvironmentProviders,
  provideEnvironmentInitializer,
  runInInjectionContext,
  type EnvironmentProviders,
  type Provider,
} from '@angular/core';
import {
  NETWORK_PRESETS,
  withOutbox as clientOutbox,
  withPresence as clientPresence,
  withRequests as clientRequests,
  withResumeStorage as clientResumeStorage,
  withTokenRefresh as clientTokenRefresh,
  type HeartbeatClientFeature,
  type HeartbeatClientOptions,
  type HeartbeatLogger,
  type NetworkPreset,
  type OutboxLimits,
  type RequestsOptions,
  type ResumeStorageOptions,
} from '@heartbeat/client';
import { firstValueFrom, isObservable } from 'rxjs';
import {
  HEARTBEAT_STATUS_TEXTS,
  HEARTBEAT_STATUS_TEXTS_EN,
  mergeStatusTexts,
  type HeartbeatStatusTextsOverride,
} from './heartbeat-status.texts.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import {
  DEFAULT_HEARTBEAT_URL,
  HEARTBEAT_CLIENT_FACTORY,
  HEARTBEAT_CLIENT_FEATURES,
  HEARTBEAT_CLIENT_OPTIONS,
  HEARTBEAT_CONFIG,
  HEARTBEAT_CONNECT_ON_START,
  HEARTBEAT_DEBUG,
  HEARTBEAT_NETWORK_PRESET,
  HEARTBEAT_TOKEN_FACTORY,
  type HeartbeatClientFactory,
  type HeartbeatConfig,
  type HeartbeatTokenFactory,
} from './heartbeat.tokens.js';
import { WebSocketStore } from './web-socket.store.js';

export enum HeartbeatFeatureKind {
  NetworkPreset = 'NetworkPreset',
  TokenProvider = 'TokenProvider',
  Debug = 'Debug',
  ConnectOnStart = 'ConnectOnStart',
  StatusTexts = 'StatusTexts',
  ClientFactory = 'ClientFactory',
  Outbox = 'Outbox',
  Presence = 'Presence',
  Requests = 'Requests',
  ResumeStorage = 'ResumeStorage',
  TokenRefresh = 'TokenRefresh',
}

/** One optional capability of `provideHeartbeat()`, made by a `with*()` function. */
export interface HeartbeatFeature<K extends HeartbeatFeatureKind = HeartbeatFeatureKind> {
  readonly ɵkind: K;
  readonly ɵproviders: readonly (Provider | EnvironmentProviders)[];
}

function feature<K extends HeartbeatFeatureKind>(kind: K, providers: (Provider | EnvironmentProviders)[]): HeartbeatFeature<K> {
  return { ɵkind: kind, ɵproviders: providers };
}

/**
 * Provides `WebSocketStore` (one client for this injector) and what `<hb-websocket-status>` needs.
 *
 * ```ts
 * provideHeartbeat({ url: '/ws' }, withConnectOnStart(), withTokenProvider(() => inject(Auth).token()))
 * ```
 */
export function provideHeartbeat(config: HeartbeatConfig = {}, ...features: HeartbeatFeature[]): EnvironmentProviders {
  if (config.url !== undefined && config.url.trim() === '') throw new Error(HeartbeatMessages.emptyUrl());
  const seen = new Set<HeartbeatFeatureKind>();
  for (const { ɵkind } of features) {
    if (seen.has(ɵkind)) throw new Error(HeartbeatMessages.duplicateFeature(ɵkind));
    seen.add(ɵkind);
  }
  return makeEnvironmentProviders([
    { provide: HEARTBEAT_CONFIG, useValue: config },
    { provide: HEARTBEAT_CLIENT_OPTIONS, useFactory: clientOptionsFromFeatures },
    // A factory rather than `useClass`: the class's own root factory throws a "not provided" message.
    { provide: WebSocketStore, useFactory: () => new WebSocketStore() },
    provideEnvironmentInitializer(connectIfAskedTo),
    ...features.flatMap((f) => f.ɵproviders),
  ]);
}

/** Timing defaults for the network the app runs on (`stable`, `unstable`, `mobile`); explicit options still win. */
export function withNetworkPreset(preset: NetworkPreset): HeartbeatFeature<HeartbeatFeatureKind.NetworkPreset> {
  if (!Object.hasOwn(NETWORK_PRESETS, preset)) throw new Error(HeartbeatMessages.unknownPreset(preset));
  return feature(HeartbeatFeatureKind.NetworkPreset, [{ provide: HEARTBEAT_NETWORK_PRESET, useValue: preset }]);
}

/**
 * The token sent in `hello`, asked for on every connection attempt (and again after a 4001 close).
 * `factory` runs in an injection context: `withTokenProvider(() => inject(AuthService).accessToken())`.
 */
export function withTokenProvider(factory: HeartbeatTokenFactory): HeartbeatFeature<HeartbeatFeatureKind.TokenProvider> {
  if (typeof factory !== 'function') throw new Error(HeartbeatMessages.notAFunction('withTokenProvider()', factory));
  return feature(HeartbeatFeatureKind.TokenProvider, [{ provide: HEARTBEAT_TOKEN_FACTORY, useValue: factory }]);
}

/** Logs the client's decisions to the browser console, or to `logger`. */
export function withDebug(logger?: HeartbeatLogger): HeartbeatFeature<HeartbeatFeatureKind.Debug> {
  return feature(HeartbeatFeatureKind.Debug, [{ provide: HEARTBEAT_DEBUG, useValue: logger ?? true }]);
}

/**
 * Connects as soon as the app (or the route providing Heartbeat) starts and turns auto-reconnect on
 * (docs/angular.md, `withConnectOnStart`). Not during server-side rendering.
 */
export function withConnectOnStart(enabled = true): HeartbeatFeature<HeartbeatFeatureKind.ConnectOnStart> {
  return feature(HeartbeatFeatureKind.ConnectOnStart, [{ provide: HEARTBEAT_CONNECT_ON_START, useValue: enabled }]);
}

/**
 * Replaces some or all texts of `<hb-websocket-status>`, over the English defaults. A function
 * receives the app's `LOCALE_ID`: `withStatusTexts(statusTextsForLocale)` shows Simplified Chinese
 * in Chinese locales (docs/angular.md#texts-and-languages); only apps that say so carry those texts.
 */
export function withStatusTexts(
  texts: HeartbeatStatusTextsOverride | ((locale: string) => HeartbeatStatusTextsOverride),
): HeartbeatFeature<HeartbeatFeatureKind.StatusTexts> {
  return feature(HeartbeatFeatureKind.StatusTexts, [
    {
      provide: HEARTBEAT_STATUS_TEXTS,
      useFactory: () => {
        const locale = inject(LOCALE_ID);
        return mergeStatusTexts(HEARTBEAT_STATUS_TEXTS_EN, typeof texts === 'function' ? texts(locale) : texts);
      },
    },
  ]);
}

/** Creates the client with `factory` instead of `new HeartbeatClient(options)`: custom clients and tests. */
export function withClientFactory(factory: HeartbeatClientFactory): HeartbeatFeature<HeartbeatFeatureKind.ClientFactory> {
  if (typeof factory !== 'function') throw new Error(HeartbeatMessages.notAFunction('withClientFactory()', factory));
  return feature(HeartbeatFeatureKind.ClientFactory, [{ provide: HEARTBEAT_CLIENT_FACTORY, useValue: factory }]);
}

/** `store.send()` with acknowledgements, queued while offline (the client's withOutbox(), docs/client.md#features). */
export function withOutbox(limits?: Partial<OutboxLimits>): HeartbeatFeature<HeartbeatFeatureKind.Outbox> {
  return clientFeature(HeartbeatFeatureKind.Outbox, clientOutbox(limits));
}

/** `store.request()`: a server handler's answer (the client's withRequests(), docs/client.md#features). */
export function withRequests(options?: RequestsOptions): HeartbeatFeature<HeartbeatFeatureKind.Requests> {
  return clientFeature(HeartbeatFeatureKind.Requests, clientRequests(options));
}

/** `store.presence(topic)`: who is in a topic (the client's withPresence(), docs/client.md#features). */
export function withPresence(): HeartbeatFeature<HeartbeatFeatureKind.Presence> {
  return clientFeature(HeartbeatFeatureKind.Presence, clientPresence());
}

/** Resume after a page reload, from the session and positions kept in `sessionStorage` (the client's withResumeStorage()). */
export function withResumeStorage(options?: ResumeStorageOptions): HeartbeatFeature<HeartbeatFeatureKind.ResumeStorage> {
  return clientFeature(HeartbeatFeatureKind.ResumeStorage, clientResumeStorage(options));
}

/** Refreshes the token on the open connection before it expires (the client's withTokenRefresh()). */
export function withTokenRefresh(): HeartbeatFeature<HeartbeatFeatureKind.TokenRefresh> {
  return clientFeature(HeartbeatFeatureKind.TokenRefresh, clientTokenRefresh());
}

function clientFeature<K extends HeartbeatFeatureKind>(kind: K, installed: HeartbeatClientFeature): HeartbeatFeature<K> {
  return feature(kind, [{ provide: HEARTBEAT_CLIENT_FEATURES, useValue: installed, multi: true }]);
}

function clientOptionsFromFeatures(): HeartbeatClientOptions {
  const config = inject(HEARTBEAT_CONFIG);
  const preset = inject(HEARTBEAT_NETWORK_PRESET, { optional: true });
  const tokenFactory = inject(HEARTBEAT_TOKEN_FACTORY, { optional: true });
  const debug = inject(HEARTBEAT_DEBUG, { optional: true });
  const clientFeatures = inject(HEARTBEAT_CLIENT_FEATURES, { optional: true }) ?? [];
  if (preset && config.preset && preset !== config.preset) {
    throw new Error(HeartbeatMessages.presetConflict(config.preset, preset));
  }
  if (tokenFactory && config.token !== undefined) throw new Error(HeartbeatMessages.tokenConflict());
  if (debug !== null && config.debug !== undefined) throw new Error(HeartbeatMessages.debugConflict());

  const options: HeartbeatClientOptions = { ...config, url: config.url ?? DEFAULT_HEARTBEAT_URL };
  if (preset) options.preset = preset;
  if (debug !== null) options.debug = debug;
  if (clientFeatures.length > 0) options.features = [...(config.features ?? []), ...clientFeatures];
  if (tokenFactory) {
    const injector = inject(Injector);
    options.token = () => settle(runInInjectionContext(injector, tokenFactory));
  }
  return options;
}

function settle(token: ReturnType<HeartbeatTokenFactory>): string | null | undefined | Promise<string | null | undefined> {
  // An Observable that completes without a value means "no token", like a provider returning null.
  if (isObservable(token)) return firstValueFrom(token, { defaultValue: null });
  if (token !== null && typeof token === 'object') return Promise.resolve(token);
  return token;
}

function connectIfAskedTo(): void {
  if (!inject(HEARTBEAT_CONNECT_ON_START) || isPlatformServer(inject(PLATFORM_ID))) return;
  const store = inject(WebSocketStore);
  store.enableAutoReconnect();
  // A failed first attempt is already in the store's state (lastError, status) and auto-reconnect
  // keeps trying; an unhandled rejection would only add noise to the console.
  store.connect().catch(() => undefined);
}
