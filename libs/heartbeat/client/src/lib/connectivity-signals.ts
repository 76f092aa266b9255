import { EMPTY, fromEvent, map, merge, Observable, filter } from 'rxjs';

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

/** Signals from the browser's window and document; inert where they do not exist (Node). */
export function browserConnectivitySignals(globals: BrowserGlobals = globalThis as BrowserGlobals): ConnectivitySignals {
  const { window, document } = globals;
  if (!window || typeof window.addEventListener !== 'function') {
    return { isOnline: () => true, online$: EMPTY, offline$: EMPTY, resumed$: EMPTY, pageHidden$: EMPTY };
  }
  const visibility$ = document ? fromEvent(document, 'visibilitychange') : EMPTY;
  const visible$ = visibility$.pipe(filter(() => document?.visibilityState === 'visible'));
  const hidden$ = visibility$.pipe(filter(() => document?.visibilityState === 'hidden'));
  return {
    isOnline: () => window.navigator?.onLine !== false,
    online$: fromEvent(window, 'online').pipe(map(() => undefined)),
    offline$: fromEvent(window, 'offline').pipe(map(() => undefined)),
    resumed$: merge(visible$, fromEvent(window, 'pageshow')).pipe(map(() => undefined)),
    pageHidden$: merge(hidden$, fromEvent(window, 'pagehide')).pipe(map(() => undefined)),
  };
}
