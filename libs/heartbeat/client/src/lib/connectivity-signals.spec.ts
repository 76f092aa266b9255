import { jest } from '@jest/globals';
import { lastValueFrom, NEVER, toArray, type Observable } from 'rxjs';
import { browserConnectivitySignals } from './connectivity-signals.js';

type FakeWindow = EventTarget & { navigator?: { onLine?: boolean } };
type FakeDocument = EventTarget & { visibilityState?: string };

function fakeWindow(navigator?: { onLine?: boolean }): FakeWindow {
  return Object.assign(new EventTarget(), navigator ? { navigator } : {});
}

function fakeDocument(visibilityState = 'visible'): FakeDocument {
  return Object.assign(new EventTarget(), { visibilityState });
}

/** Counts what an Observable emits; each emission is recorded as its value. */
function record(source: Observable<void>) {
  const values: unknown[] = [];
  const subscription = source.subscribe((value) => values.push(value));
  return { values, unsubscribe: () => subscription.unsubscribe() };
}

const fire = (target: EventTarget, type: string) => target.dispatchEvent(new Event(type));

describe('browserConnectivitySignals', () => {
  describe('outside a browser', () => {
    it.each([
      ['no window', {}],
      ['a window without addEventListener', { window: { navigator: { onLine: false } } as never }],
    ])('is inert with %s: online, and streams that complete at once', async (_label, globals) => {
      const signals = browserConnectivitySignals(globals);

      expect(signals.isOnline()).toBe(true);
      for (const stream of [signals.online$, signals.offline$, signals.resumed$, signals.pageHidden$ ?? NEVER]) {
        await expect(lastValueFrom(stream.pipe(toArray()))).resolves.toEqual([]);
      }
    });

    it('is inert with Node\'s globals by default', () => {
      const signals = browserConnectivitySignals();

      expect(signals.isOnline()).toBe(true);
      const completed = jest.fn();
      signals.online$.subscribe({ complete: completed });
      expect(completed).toHaveBeenCalled();
    });
  });

  describe('#isOnline', () => {
    it.each([
      [{ onLine: true }, true],
      [{ onLine: false }, false],
      [{}, true],
      [undefined, true],
    ])('with navigator %o says %s', (navigator, expected) => {
      expect(browserConnectivitySignals({ window: fakeWindow(navigator) }).isOnline()).toBe(expected);
    });

    it('reads navigator.onLine at each call', () => {
      const navigator = { onLine: true };
      const signals = browserConnectivitySignals({ window: fakeWindow(navigator) });

      navigator.onLine = false;

      expect(signals.isOnline()).toBe(false);
    });
  });

  describe('online$ and offline$', () => {
    it('emit (undefined) on the window\'s online and offline events', () => {
      const window = fakeWindow({ onLine: true });
      const signals = browserConnectivitySignals({ window });
      const online = record(signals.online$);
      const offline = record(signals.offline$);

      fire(window, 'offline');
      fire(window, 'online');
      fire(window, 'online');

      expect(online.values).toEqual([undefined, undefined]);
      expect(offline.values).toEqual([undefined]);
    });

    it('ignore other events', () => {
      const window = fakeWindow();
      const signals = browserConnectivitySignals({ window });
      const online = record(signals.online$);

      fire(window, 'resize');
      fire(window, 'pageshow');

      expect(online.values).toEqual([]);
    });

    it('remove their listener on unsubscribe', () => {
      const window = fakeWindow();
      const remove = jest.spyOn(window, 'removeEventListener');
      const signals = browserConnectivitySignals({ window });
      const online = record(signals.online$);

      online.unsubscribe();
      fire(window, 'online');

      expect(online.values).toEqual([]);
      expect(remove).toHaveBeenCalledWith('online', expect.any(Function));
    });

    it('add no listener until subscribed', () => {
      const window = fakeWindow();
      const add = jest.spyOn(window, 'addEventListener');

      browserConnectivitySignals({ window, document: fakeDocument() });

      expect(add).not.toHaveBeenCalled();
    });
  });

  describe('resumed$', () => {
    it('emits when the document becomes visible', () => {
      const window = fakeWindow();
      const document = fakeDocument('hidden');
      const resumed = record(browserConnectivitySignals({ window, document }).resumed$);

      fire(document, 'visibilitychange');
      document.visibilityState = 'visible';
      fire(document, 'visibilitychange');

      expect(resumed.values).toEqual([undefined]);
    });

    it('does not emit when the document becomes hidden', () => {
      const window = fakeWindow();
      const document = fakeDocument('visible');
      const resumed = record(browserConnectivitySignals({ window, document }).resumed$);

      document.visibilityState = 'hidden';
      fire(document, 'visibilitychange');

      expect(resumed.values).toEqual([]);
    });

    it('emits on pageshow (restored from the back/forward cache)', () => {
      const window = fakeWindow();
      const resumed = record(browserConnectivitySignals({ window, document: fakeDocument('hidden') }).resumed$);

      fire(window, 'pageshow');

      expect(resumed.values).toEqual([undefined]);
    });

    it('merges both sources', () => {
      const window = fakeWindow();
      const document = fakeDocument('visible');
      const resumed = record(browserConnectivitySignals({ window, document }).resumed$);

      fire(document, 'visibilitychange');
      fire(window, 'pageshow');
      fire(document, 'visibilitychange');

      expect(resumed.values).toHaveLength(3);
    });

    it('uses only pageshow when there is no document', () => {
      const window = fakeWindow();
      const resumed = record(browserConnectivitySignals({ window }).resumed$);

      fire(window, 'visibilitychange');
      fire(window, 'pageshow');

      expect(resumed.values).toEqual([undefined]);
    });

    it('removes both listeners on unsubscribe', () => {
      const window = fakeWindow();
      const document = fakeDocument('visible');
      const resumed = record(browserConnectivitySignals({ window, document }).resumed$);

      resumed.unsubscribe();
      fire(document, 'visibilitychange');
      fire(window, 'pageshow');

      expect(resumed.values).toEqual([]);
    });
  });

  describe('pageHidden$', () => {
    const hiddenOf = (window: FakeWindow, document?: FakeDocument) => {
      const { pageHidden$ } = browserConnectivitySignals({ window, document });
      if (!pageHidden$) throw new Error('expected pageHidden$ in a browser');
      return record(pageHidden$);
    };

    it('emits on pagehide and when the document becomes hidden, not when it becomes visible', () => {
      const window = fakeWindow();
      const document = fakeDocument('visible');
      const hidden = hiddenOf(window, document);

      fire(window, 'pagehide');
      document.visibilityState = 'hidden';
      fire(document, 'visibilitychange');
      document.visibilityState = 'visible';
      fire(document, 'visibilitychange');

      expect(hidden.values).toEqual([undefined, undefined]);
    });

    it('removes its listeners on unsubscribe', () => {
      const window = fakeWindow();
      const document = fakeDocument('hidden');
      const hidden = hiddenOf(window, document);

      hidden.unsubscribe();
      fire(window, 'pagehide');
      fire(document, 'visibilitychange');

      expect(hidden.values).toEqual([]);
    });
  });
});
