import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { setFlagsFromString } from 'node:v8';
import { lastValueFrom, NEVER, toArray } from 'rxjs';
import * as ClientMessages from './client.messages.js';
import type { HeartbeatClientOptions, HeartbeatTimingOptions } from './client-options.js';
import type { ConnectivitySignals } from './connectivity-signals.js';
import { HeartbeatClientOptionsError, TIMING_OPTION_NAMES, resolveClientOptions, resolveUrl, timingOptionProblem } from './resolve-client-options.js';
import type { WebSocketConstructor } from './web-socket-like.js';
import { withTestHooks } from '../testing/with-test-hooks.js';

/** Never instantiated: option resolution only keeps the constructor. */
const FakeSocket = class FakeWebSocket {} as unknown as WebSocketConstructor;
class GlobalWebSocket {}

const URL_WS = 'ws://localhost:3000/ws';

/**
 * The default timing options (docs/client.md#options): backoff and heartbeat plus jitter,
 * connectTimeout and suspendedRetryInterval.
 */
const SOURCE_DEFAULTS: HeartbeatTimingOptions = {
  maxReconnectAttempts: 5,
  reconnectInterval: 5_000,
  backoffMultiplier: 1.5,
  maxReconnectInterval: 30_000,
  pingInterval: 30_000,
  pongTimeout: 10_000,
  maxMissedPongs: 3,
  jitter: 0.3,
  connectTimeout: 10_000,
  suspendedRetryInterval: 60_000,
};

/**
 * V8's own answer to whether two objects share a hidden class (map): the flag lets the function
 * below be compiled with the `%` intrinsic.
 */
setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

/** Environment globals for a test: none of Node's, only what is given. */
const globalsOf = (values: Record<string, unknown> = {}): typeof globalThis => values as unknown as typeof globalThis;

function resolve(options: Partial<HeartbeatClientOptions> = {}, globals = globalsOf()) {
  return resolveClientOptions({ url: URL_WS, webSocket: FakeSocket, ...options }, globals);
}

function timingOf(resolved: HeartbeatTimingOptions): HeartbeatTimingOptions {
  const timing = {} as Record<keyof HeartbeatTimingOptions, number>;
  for (const name of Object.keys(SOURCE_DEFAULTS) as (keyof HeartbeatTimingOptions)[]) timing[name] = resolved[name];
  return timing;
}

/** The error `fn` throws, failing the test if it does not throw. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('resolveClientOptions', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('defaults', () => {
    it('uses the documented timing defaults', () => {
      expect(timingOf(resolve())).toEqual(SOURCE_DEFAULTS);
    });

    it('reconnects automatically, with no token, client info or debug output', () => {
      const debug = jest.spyOn(console, 'debug').mockImplementation(() => undefined);
      const resolved = resolve();

      resolved.log('hidden');

      expect(resolved.autoReconnect).toBe(true);
      expect(resolved.token).toBeUndefined();
      expect(resolved.clientInfo).toBeUndefined();
      expect(debug).not.toHaveBeenCalled();
    });

    it('uses Math.random for jitter', () => {
      expect(resolve().random).toBe(Math.random);
    });

    it('uses the global WebSocket when none is given', () => {
      const resolved = resolveClientOptions({ url: URL_WS }, globalsOf({ WebSocket: GlobalWebSocket }));

      expect(resolved.webSocket).toBe(GlobalWebSocket);
    });

    it('prefers the given WebSocket over the global one', () => {
      expect(resolve({}, globalsOf({ WebSocket: GlobalWebSocket })).webSocket).toBe(FakeSocket);
    });

    it('has inert connectivity signals outside a browser', async () => {
      const { connectivity } = resolve();

      expect(connectivity.isOnline()).toBe(true);
      await expect(lastValueFrom(connectivity.online$.pipe(toArray()))).resolves.toEqual([]);
      await expect(lastValueFrom(connectivity.resumed$.pipe(toArray()))).resolves.toEqual([]);
    });

    it('reads connectivity from the browser globals it is given', () => {
      const window = Object.assign(new EventTarget(), { navigator: { onLine: false } });

      expect(resolve({}, globalsOf({ window })).connectivity.isOnline()).toBe(false);
    });
  });

  describe('explicit options', () => {
    it('keeps every timing option given', () => {
      const timing: HeartbeatTimingOptions = {
        maxReconnectAttempts: 9,
        reconnectInterval: 1_000,
        backoffMultiplier: 2,
        maxReconnectInterval: 8_000,
        pingInterval: 20_000,
        pongTimeout: 4_000,
        maxMissedPongs: 2,
        jitter: 0,
        connectTimeout: 3_000,
        suspendedRetryInterval: 0,
      };

      expect(timingOf(resolve(timing))).toEqual(timing);
    });

    it('passes token, autoReconnect, clientInfo, the test hooks\' random and connectivity through', () => {
      const provider = () => 'fresh-token';
      const random = () => 0.5;
      const connectivity: ConnectivitySignals = { isOnline: () => false, online$: NEVER, offline$: NEVER, resumed$: NEVER };
      const resolved = resolve(withTestHooks({ url: 'ws://example.test/ws', token: provider, autoReconnect: false, clientInfo: { name: 'ops', version: '1.2.3' }, connectivity }, { random }));

      expect(resolved.token).toBe(provider);
      expect(resolved.autoReconnect).toBe(false);
      expect(resolved.clientInfo).toEqual({ name: 'ops', version: '1.2.3' });
      expect(resolved.random).toBe(random);
      expect(resolved.connectivity).toBe(connectivity);
      expect(resolve({ token: 'static' }).token).toBe('static');
    });

    it('logs to console.debug with a [heartbeat] prefix when debug is true', () => {
      const debug = jest.spyOn(console, 'debug').mockImplementation(() => undefined);

      resolve({ debug: true }).log('connecting', { attempt: 1 });

      expect(debug).toHaveBeenCalledWith('[heartbeat] connecting', { attempt: 1 });
    });

    it('logs to the function given as debug', () => {
      const logger = jest.fn();

      const resolved = resolve({ debug: logger });
      resolved.log('hello', 42);

      expect(resolved.log).toBe(logger);
      expect(logger).toHaveBeenCalledWith('hello', 42);
    });

    it('resolves the url', () => {
      expect(resolve({ url: 'https://example.com/ws' }).url).toBe('wss://example.com/ws');
    });

    it('resolves a relative url against the page address in the globals', () => {
      const globals = globalsOf({ location: { href: 'http://localhost:4200/admin' } });

      expect(resolve({ url: '/ws' }, globals).url).toBe('ws://localhost:4200/ws');
    });
  });

  describe('shape', () => {
    it('gives the options of clients made alike one hidden class, whichever options they give', () => {
      // A load generator or a dashboard holds many clients made with the same options: a map each
      // cost heap, and made every read of the options megamorphic (docs/benchmarks.md, twelfth pass).
      const variants: Partial<HeartbeatClientOptions>[] = [
        {},
        { jitter: 0 },
        { backoffMultiplier: 2, reconnectInterval: 250.5 },
        { preset: 'mobile' },
        { preset: 'unstable', pingInterval: 1_000, pongTimeout: 300 },
        { token: 'secret', debug: true, autoReconnect: false },
      ];
      const shared = variants.map((options) => {
        const [first, ...others] = Array.from({ length: 5 }, () => resolve(options));
        return others.every((resolved) => haveSameMap(first, resolved));
      });
      expect(shared).toEqual(variants.map(() => true));
    });
  });

  describe('presets', () => {
    it('stable is the defaults', () => {
      expect(timingOf(resolve({ preset: 'stable' }))).toEqual(SOURCE_DEFAULTS);
    });

    it('unstable: more attempts, longer waits', () => {
      expect(timingOf(resolve({ preset: 'unstable' }))).toEqual({
        ...SOURCE_DEFAULTS,
        maxReconnectAttempts: 10,
        maxReconnectInterval: 60_000,
        pongTimeout: 20_000,
        connectTimeout: 20_000,
      });
    });

    it('mobile: a more frequent heartbeat, auto-reconnect on', () => {
      const resolved = resolve({ preset: 'mobile' });

      expect(timingOf(resolved)).toEqual({
        ...SOURCE_DEFAULTS,
        maxReconnectAttempts: 8,
        pingInterval: 15_000,
        pongTimeout: 8_000,
        connectTimeout: 15_000,
      });
      expect(resolved.autoReconnect).toBe(true);
    });

    it.each([
      ['unstable', { pongTimeout: 5_000 }, { maxReconnectAttempts: 10, pongTimeout: 5_000 }],
      ['mobile', { pingInterval: 20_000, maxReconnectAttempts: 2 }, { pingInterval: 20_000, maxReconnectAttempts: 2, pongTimeout: 8_000 }],
      ['stable', { jitter: 0 }, { jitter: 0, reconnectInterval: 5_000 }],
    ] as const)('lets explicit options override the %s preset', (preset, overrides, expected) => {
      expect(resolve({ preset, ...overrides })).toMatchObject(expected);
    });

    it.each(['fast', '', 'toString', '__proto__', 'constructor'])('rejects the unknown preset %j, naming the option', (preset) => {
      const error = thrownBy(() => resolve({ preset: preset as never }));

      expect(error).toBeInstanceOf(HeartbeatClientOptionsError);
      expect((error as Error).message).toBe(ClientMessages.unknownPreset(preset));
      expect((error as Error).message).toContain('`preset`');
    });
  });

  describe('validation', () => {
    const invalid: [keyof HeartbeatTimingOptions, unknown][] = [
      ['maxReconnectAttempts', -1],
      ['maxReconnectAttempts', 2.5],
      ['maxReconnectAttempts', Number.NaN],
      ['maxReconnectAttempts', Number.POSITIVE_INFINITY],
      ['maxReconnectAttempts', '5'],
      ['reconnectInterval', -1],
      ['reconnectInterval', Number.POSITIVE_INFINITY],
      ['reconnectInterval', Number.NaN],
      ['reconnectInterval', null],
      ['backoffMultiplier', 0.5],
      ['backoffMultiplier', 0],
      ['backoffMultiplier', Number.POSITIVE_INFINITY],
      ['maxReconnectInterval', -1],
      ['maxReconnectInterval', Number.POSITIVE_INFINITY],
      ['pingInterval', 0],
      ['pingInterval', -30_000],
      ['pingInterval', '30000'],
      ['pongTimeout', 0],
      ['pongTimeout', Number.NaN],
      ['maxMissedPongs', 0],
      ['maxMissedPongs', 1.5],
      ['maxMissedPongs', -3],
      ['jitter', -0.1],
      ['jitter', 1.1],
      ['jitter', Number.NaN],
      ['jitter', true],
      ['connectTimeout', 0],
      ['connectTimeout', Number.POSITIVE_INFINITY],
      ['suspendedRetryInterval', -1],
      ['suspendedRetryInterval', Number.NaN],
    ];

    it.each(invalid)('rejects %s = %p with a HeartbeatClientOptionsError naming the option', (name, value) => {
      const error = thrownBy(() => resolve({ [name]: value }));

      expect(error).toBeInstanceOf(HeartbeatClientOptionsError);
      expect((error as Error).name).toBe('HeartbeatClientOptionsError');
      expect((error as Error).message).toContain(`\`${name}\``);
      expect((error as Error).message).toContain(JSON.stringify(value));
    });

    it.each([
      ['maxReconnectAttempts', 0],
      ['reconnectInterval', 0],
      ['backoffMultiplier', 1],
      ['maxReconnectInterval', 0],
      ['pingInterval', 1_000_000],
      ['pongTimeout', 1],
      ['maxMissedPongs', 1],
      ['jitter', 0],
      ['jitter', 1],
      ['connectTimeout', 1],
      ['suspendedRetryInterval', 0],
    ] as const)('accepts the boundary value %s = %d', (name, value) => {
      expect(resolve({ [name]: value })[name]).toBe(value);
    });

    it('treats an option given as undefined as not given', () => {
      expect(resolve({ pingInterval: undefined, preset: 'mobile' }).pingInterval).toBe(15_000);
    });

    it.each([
      [{ pongTimeout: 30_000 }, 30_000, 30_000],
      [{ pongTimeout: 40_000 }, 40_000, 30_000],
      [{ preset: 'mobile', pongTimeout: 15_000 }, 15_000, 15_000],
      [{ pingInterval: 1_000, pongTimeout: 1_000 }, 1_000, 1_000],
    ] as const)('rejects a pongTimeout given not shorter than pingInterval (%o)', (options, pongTimeout, pingInterval) => {
      const error = thrownBy(() => resolve(options));

      expect(error).toBeInstanceOf(HeartbeatClientOptionsError);
      expect((error as Error).message).toBe(ClientMessages.pongTimeoutTooLong(pongTimeout, pingInterval));
      expect((error as Error).message).toContain('`pongTimeout`');
      expect((error as Error).message).toContain('`pingInterval`');
    });

    it.each([
      [{ pingInterval: 10_000 }, 3_333],
      [{ pingInterval: 1_000 }, 333],
      [{ preset: 'unstable', pingInterval: 20_000 }, 6_667],
    ] as const)('scales a default pongTimeout down to a third of a shorter pingInterval (%o)', (options, pongTimeout) => {
      expect(resolve(options)).toMatchObject({ pingInterval: options.pingInterval, pongTimeout });
    });

    it('accepts a pongTimeout just under pingInterval', () => {
      expect(resolve({ pingInterval: 10_000, pongTimeout: 9_999 })).toMatchObject({ pingInterval: 10_000, pongTimeout: 9_999 });
    });

    it('rejects a missing WebSocket implementation', () => {
      const error = thrownBy(() => resolveClientOptions({ url: URL_WS }, globalsOf()));

      expect(error).toBeInstanceOf(HeartbeatClientOptionsError);
      expect((error as Error).message).toBe(ClientMessages.noWebSocket());
      expect((error as Error).message).toContain('`webSocket: WebSocket`');
    });

    it('rejects a bad url through resolveUrl', () => {
      expect(() => resolve({ url: 'ftp://example.com' })).toThrow(new HeartbeatClientOptionsError(ClientMessages.urlBadScheme('ftp://example.com')));
    });

    it('validates the timing before looking for a WebSocket', () => {
      expect(() => resolveClientOptions({ url: URL_WS, jitter: 2 }, globalsOf())).toThrow(/`jitter`/);
    });
  });
});

describe('resolveUrl', () => {
  const page = (href: string) => ({ location: { href } });

  it.each([
    ['ws://localhost:3000/ws', 'ws://localhost:3000/ws'],
    ['wss://example.com/ws', 'wss://example.com/ws'],
    ['wss://example.com:8443/ws?tenant=a#x', 'wss://example.com:8443/ws?tenant=a#x'],
    ['ws://127.0.0.1:3000', 'ws://127.0.0.1:3000/'],
  ])('keeps the ws/wss url %s', (url, expected) => {
    expect(resolveUrl(url, {})).toBe(expected);
  });

  it.each([
    ['http://localhost:3000/ws', 'ws://localhost:3000/ws'],
    ['https://example.com/ws', 'wss://example.com/ws'],
    ['https://example.com/ws?tenant=a', 'wss://example.com/ws?tenant=a'],
    ['HTTPS://Example.COM/ws', 'wss://example.com/ws'],
    ['http://example.com:8080/ws', 'ws://example.com:8080/ws'],
    ['https://example.com:443/ws', 'wss://example.com/ws'],
  ])('maps %s onto the matching ws scheme (%s)', (url, expected) => {
    expect(resolveUrl(url, {})).toBe(expected);
  });

  it.each([
    ['/ws', 'https://app.example.com/admin/page', 'wss://app.example.com/ws'],
    ['/ws', 'http://localhost:4200/', 'ws://localhost:4200/ws'],
    ['ws', 'https://app.example.com/admin/page', 'wss://app.example.com/admin/ws'],
    ['../ws?x=1', 'https://app.example.com/admin/page/', 'wss://app.example.com/admin/ws?x=1'],
    ['//other.example.com/ws', 'https://app.example.com/', 'wss://other.example.com/ws'],
  ])('resolves the relative url %s against the page %s', (url, href, expected) => {
    expect(resolveUrl(url, page(href))).toBe(expected);
  });

  it('ignores the page address for an absolute url', () => {
    expect(resolveUrl('ws://server:3000/ws', page('https://app.example.com/'))).toBe('ws://server:3000/ws');
  });

  it.each(['/ws', 'ws', '//example.com/ws'])('rejects the relative url %s without a page address', (url) => {
    expect(() => resolveUrl(url, {})).toThrow(new HeartbeatClientOptionsError(ClientMessages.urlRelativeOutsideBrowser(url)));
  });

  it('rejects a relative url in Node by default (no location global)', () => {
    expect(() => resolveUrl('/ws')).toThrow(HeartbeatClientOptionsError);
  });

  it.each(['ftp://example.com/ws', 'file:///tmp/socket', 'javascript:alert(1)', 'localhost:3000/ws', 'mailto:ops@example.com'])(
    'rejects the scheme of %s',
    (url) => {
      expect(() => resolveUrl(url, page('https://app.example.com/'))).toThrow(new HeartbeatClientOptionsError(ClientMessages.urlBadScheme(url)));
    },
  );

  it('rejects a relative url on a page whose scheme has no WebSocket equivalent', () => {
    expect(() => resolveUrl('/ws', page('file:///home/ops/index.html'))).toThrow(new HeartbeatClientOptionsError(ClientMessages.urlBadScheme('/ws')));
  });

  it.each(['', '   ', undefined, null, 42])('rejects the missing url %p, naming the option', (url) => {
    const error = thrownBy(() => resolveUrl(url as never, {}));

    expect(error).toBeInstanceOf(HeartbeatClientOptionsError);
    expect((error as Error).message).toBe(ClientMessages.urlMissing());
    expect((error as Error).message).toContain('`url`');
  });

  it.each(['ws://', 'http://[::1', 'wss://exa mple.com/ws', 'ws://example.com:99999/ws'])(
    'rejects the unparsable url %s with a HeartbeatClientOptionsError naming the option',
    (url) => {
      const error = thrownBy(() => resolveUrl(url, {}));

      expect(error).toBeInstanceOf(HeartbeatClientOptionsError);
      expect((error as Error).message).toBe(ClientMessages.urlInvalid(url));
      expect((error as Error).message).toContain(`url "${url}"`);
    },
  );
});

describe('timingOptionProblem', () => {
  it('says nothing of a value the constructor accepts, for every timing option', () => {
    for (const name of TIMING_OPTION_NAMES) {
      const value = name === 'jitter' ? 0.5 : 2;
      expect(timingOptionProblem(name, value)).toBeUndefined();
      expect(() => resolveClientOptions({ url: 'ws://server.test/ws', webSocket: class {} as never, [name]: value })).not.toThrow();
    }
  });

  it.each([
    ['pingInterval', 0, 'a positive number of milliseconds'],
    ['reconnectInterval', -1, 'a number of milliseconds, 0 or more'],
    ['maxMissedPongs', 1.5, 'a whole number, 1 or more'],
    ['jitter', '0.2', 'a fraction from 0 to 1'],
  ] as const)('names what %s must be when given %p, in the words of the constructor\'s error', (name, value, expected) => {
    expect(timingOptionProblem(name, value)).toBe(expected);
    expect(() => resolveClientOptions({ url: 'ws://server.test/ws', webSocket: class {} as never, [name]: value as never })).toThrow(
      ClientMessages.optionNotNumber(name, value, expected),
    );
  });
});
