import { EMPTY, Observable } from 'rxjs';

/**
 * What the environment says about the network and the page. In a browser these come from
 * `online`/`offline` on window and `visibilitychange`/`pageshow`; in Node there are none.
 */
export interface ConnectivitySignals {
  /** The network is reachable as far as the environment knows. */
  isOnline(): boolean;
  readonly online$: Observable<void>;
  readonly offline$: Observable<void>;
  /** The page became visible again or was restored from the back/forward cache. */
  readonly resumed$: Observable<void>;
  /**
   * The page is being hidden or unloaded (`pagehide`, or `visibilitychange` to hidden, the last
   * moment a mobile browser reliably gives): the client saves its resume state then.
   */
  readonly pageHidden$?: Observable<void>;
}

interface BrowserGlobals {
  readonly window?: EventTarget & { navigator?: { onLine?: boolean } };
  readonly document?: EventTarget & { visibilityState?: string };
}

/** One DOM event that counts as a signal: on `target`, of `type`, when `applies()` says so. */
type DomSource = readonly [target: EventTarget | undefined, type: string, applies?: () => boolean];

/**
 * Emits (undefined) on any of `sources` while observed, and removes its listeners on unsubscribe:
 * what fromEvent, filter and merge would do, without bringing those operators into an app's bundle
 * (docs/benchmarks.md#browser-bundle-esbuild).
 */
function domSignal(...sources: DomSource[]): Observable<void> {
  return new Observable<void>((subscriber) => {
    const listeners = sources.map(([target, type, applies]) => {
      const listener = () => (applies?.() ?? true) && subscriber.next();
      target?.addEventListener(type, listener);
      return () => target?.removeEventListener(type, listener);
    });
    return () => listeners.forEach((remove) => remove());
  });
}

/** Signals from the browser's window and document; inert where they do not exist (Node). */
export function browserConnectivitySignals(globals: BrowserGlobals = globalThis as BrowserGlobals): ConnectivitySignals {
  const { window, document } = globals;
  if (!window || typeof window.addEventListener !== 'function') {
    return { isOnline: () => true, online$: EMPTY, offline$: EMPTY, resumed$: EMPTY, pageHidden$: EMPTY };
  }
  const visibility = (state: string): DomSource => [document, 'visibilitychange', () => document?.visibilityState === state];
  return {
    isOnline: () => window.navigator?.onLine !== false,
    online$: domSignal([window, 'online']),
    offline$: domSignal([window, 'offline']),
    resumed$: domSignal(visibility('visible'), [window, 'pageshow']),
    pageHidden$: domSignal(visibility('hidden'), [window, 'pagehide']),
  };
}
