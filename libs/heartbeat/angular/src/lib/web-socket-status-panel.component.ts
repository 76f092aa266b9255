import {
  type AfterViewInit,
  ChangeDetectionStrategy,
  Component,
  DOCUMENT,
  DestroyRef,
  ElementRef,
  LOCALE_ID,
  type DoCheck,
  NgZone,
  Renderer2,
  computed,
  inject,
  input,
  signal,
} from '@angular/core';
import { HEARTBEAT_STATUS_TEXTS } from './heartbeat-status.texts.js';
import { placeStatusPanel, type StatusPanelAlign, type StatusPanelPlacement } from './status-panel-placement.js';
import { STATUS_CONTROL_STYLES } from './web-socket-status.styles.js';
import { WebSocketStore, reconnectQuietly } from './web-socket.store.js';

/**
 * The details panel of `<hb-websocket-status>` (docs/angular.md#hb-websocket-status): connection
 * facts and manual controls. A component of its own so that it exists, with its clock and listeners,
 * only while the panel is open. It places itself next to the indicator,
 * its parent element (docs/angular.md#where-the-panel-opens); the indicator gives it its id, role and label.
 */
@Component({
  selector: 'hb-websocket-status-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p class="hb-status__phase" data-testid="hb-phase">
      <span class="hb-status__dot" aria-hidden="true"></span>
      {{ statusLabel() }} · {{ texts.phases[store.phase()] }}
    </p>
    <dl class="hb-status__facts">
      <dt>{{ texts.connectedAt }}</dt>
      <dd data-testid="hb-connected-at">
        @if (store.connectedAt(); as at) {
          <time [attr.datetime]="isoTime(at)">{{ dateTime(at) }}</time>
          {{ texts.connectedFor(texts.duration(now() - at)) }}
        } @else {
          {{ texts.none }}
        }
      </dd>
      @if (showReconnect()) {
        <dt>{{ texts.reconnectCount }}</dt>
        <dd data-testid="hb-reconnect-count">{{ store.reconnectCount() }}</dd>
        <dt>{{ texts.reconnectAttempts }}</dt>
        <dd data-testid="hb-reconnect-attempts">
          {{ texts.attemptOf(store.reconnectAttempts(), store.maxReconnectAttempts()) }}
          <progress [value]="store.reconnectAttempts()" [max]="store.maxReconnectAttempts() || 1" aria-hidden="true"></progress>
        </dd>
        <dt>{{ texts.nextAttempt }}</dt>
        @let seconds = countdown();
        <dd data-testid="hb-countdown" [attr.data-seconds]="seconds">
          {{ seconds === null ? texts.none : texts.nextAttemptIn(seconds) }}
        </dd>
      }
      <dt>{{ texts.pingCount }}</dt>
      <dd data-testid="hb-ping-count">{{ store.pingCount() }}</dd>
      <dt>{{ texts.pongCount }}</dt>
      <dd data-testid="hb-pong-count">{{ store.pongCount() }}</dd>
      <dt>{{ texts.missedPongs }}</dt>
      <dd data-testid="hb-missed-pongs">{{ store.missedPongs() }}</dd>
      <dt>{{ texts.lastPing }}</dt>
      <dd data-testid="hb-last-ping">{{ time(store.lastPingAt()) }}</dd>
      <dt>{{ texts.lastPong }}</dt>
      <dd data-testid="hb-last-pong">{{ time(store.lastPongAt()) }}</dd>
      <dt>{{ texts.rtt }}</dt>
      @let rtt = store.rttMs();
      <dd data-testid="hb-rtt">{{ rtt === null ? texts.none : texts.rttValue(rtt, store.rttSmoothedMs()) }}</dd>
      <dt>{{ texts.clockOffset }}</dt>
      @let offset = store.clockOffsetMs();
      <dd data-testid="hb-clock-offset">{{ offset === null ? texts.none : texts.milliseconds(offset) }}</dd>
      <dt>{{ texts.error }}</dt>
      <dd data-testid="hb-error" class="hb-status__error">{{ store.lastError() ?? texts.none }}</dd>
    </dl>
    <div class="hb-status__actions">
      @if (showReconnect()) {
        <button type="button" data-testid="hb-reconnect" (click)="reconnect()">{{ texts.reconnect }}</button>
      }
      <button type="button" data-testid="hb-disconnect" (click)="store.disconnect()">{{ texts.disconnect }}</button>
      <button type="button" data-testid="hb-send-ping" [disabled]="!store.isConnected()" (click)="store.sendPing()">
        {{ texts.sendPing }}
      </button>
      @if (showReconnect()) {
        <button type="button" data-testid="hb-reset" (click)="store.resetReconnectState()">{{ texts.reset }}</button>
        <label class="hb-status__switch">
          <input
            type="checkbox"
            role="switch"
            data-testid="hb-auto-reconnect"
            [checked]="store.autoReconnect()"
            [attr.aria-checked]="store.autoReconnect()"
            (change)="setAutoReconnect($event)"
          />
          {{ texts.autoReconnect }}
        </label>
      }
    </div>
  `,
  styles: [
    STATUS_CONTROL_STYLES,
    `
      :host {
        position: absolute;
        z-index: var(--hb-panel-z-index, 1000);
        /* Where the panel sits until it has measured itself; then inline left/top from
           placeStatusPanel() keep it on screen. */
        top: calc(100% + 0.4em);
        inset-inline-end: 0;
        box-sizing: border-box;
        overflow-y: auto;
        width: max-content;
        min-width: var(--hb-panel-min-width, 18rem);
        max-width: var(--hb-panel-max-width, min(26rem, 95vw));
        padding: 0.75em 1em;
        border: 1px solid var(--hb-panel-border-color, #d1d5db);
        border-radius: 0.5em;
        background: var(--hb-panel-background, #ffffff);
        color: var(--hb-panel-color, #111827);
        box-shadow: var(--hb-panel-shadow, 0 10px 25px rgb(0 0 0 / 0.15));
        text-align: start;
      }
      .hb-status__phase {
        display: flex;
        align-items: center;
        gap: 0.4em;
        margin: 0 0 0.5em;
        font-weight: 600;
      }
      .hb-status__facts {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.25em 1em;
        margin: 0;
      }
      .hb-status__facts dt {
        color: var(--hb-muted-color, #6b7280);
      }
      .hb-status__facts dd {
        margin: 0;
        font-variant-numeric: tabular-nums;
      }
      .hb-status__facts progress {
        width: 5em;
        height: 0.5em;
        margin-inline-start: 0.4em;
        vertical-align: middle;
      }
      .hb-status__error {
        overflow-wrap: anywhere;
        color: var(--hb-status-error-color, #dc2626);
      }
      .hb-status__actions {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5em;
        margin-top: 0.75em;
      }
      .hb-status__actions button:disabled {
        cursor: not-allowed;
        opacity: 0.5;
      }
      .hb-status__switch {
        display: inline-flex;
        align-items: center;
        gap: 0.3em;
        cursor: pointer;
      }
    `,
  ],
})
export class WebSocketStatusPanelComponent implements AfterViewInit, DoCheck {
  readonly showReconnect = input.required<boolean>();
  /** The indicator's label for the current status, shown with the phase. */
  readonly statusLabel = input.required<string>();
  /** Which edge of the indicator the panel lines up with (the indicator's `panelAlign`). */
  readonly align = input.required<StatusPanelAlign>();

  protected readonly store = inject(WebSocketStore);
  protected readonly texts = inject(HEARTBEAT_STATUS_TEXTS);

  readonly #locale = inject(LOCALE_ID);
  readonly #document = inject(DOCUMENT);
  readonly #panel: HTMLElement = inject(ElementRef).nativeElement;
  /** The indicator's element: the panel's parent and its containing block. */
  get #indicator(): HTMLElement {
    return this.#panel.parentElement!;
  }
  readonly #renderer = inject(Renderer2);
  /** The `align` the panel was last placed for; null until it has rendered (nothing to measure before). */
  #placedFor: StatusPanelAlign | null = null;
  /** Bumped every second by the panel's clock while something it shows moves. */
  readonly #ticks = signal(0);
  /** The time the panel shows: read again at each tick and whenever what it measures from changes. */
  protected readonly now = computed(() => {
    this.#ticks();
    this.store.nextReconnectAt();
    this.store.connectedAt();
    return Date.now();
  });
  /** Whole seconds until the next reconnect attempt, while one is scheduled. */
  protected readonly countdown = computed(() => {
    const at = this.store.nextReconnectAt();
    return at === null ? null : Math.max(0, Math.ceil((at - this.now()) / 1000));
  });

  readonly #timeFormat = dateTimeFormat(this.#locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  readonly #dateTimeFormat = dateTimeFormat(this.#locale, { dateStyle: 'short', timeStyle: 'medium' });

  constructor() {
    // The clock ticks while the panel is open (it exists only then) and moves `now` only when the
    // panel shows something that moves (a countdown or the connection's age). A timer, not an
    // effect(): effects add weight to every app's bundle (docs/benchmarks.md#browser-bundle-the-angular-example).
    const timer = inject(NgZone).runOutsideAngular(() =>
      setInterval(() => {
        if (this.store.nextReconnectAt() !== null || this.store.connectedAt() !== null) this.#ticks.update((ticks) => ticks + 1);
      }, 1000),
    );
    // The panel is placed when it opens and again whenever the window or the panel itself (new
    // content, e.g. an error text) changes size; it exists only while open, so a closed indicator
    // listens to nothing.
    const destroyRef = inject(DestroyRef);
    destroyRef.onDestroy(() => clearInterval(timer));
    destroyRef.onDestroy(this.#renderer.listen('window', 'resize', () => this.#place()));
    const view = this.#document.defaultView;
    if (view && 'ResizeObserver' in view) {
      // Placed in the next frame, not in the callback: a size the callback changes (max-height)
      // would be reported again in the same frame, which browsers report as an error.
      let frame = 0;
      const observer = new view.ResizeObserver(() => {
        view.cancelAnimationFrame(frame);
        frame = view.requestAnimationFrame(() => this.#place());
      });
      observer.observe(this.#panel);
      destroyRef.onDestroy(() => {
        observer.disconnect();
        view.cancelAnimationFrame(frame);
      });
    }
  }

  // Lifecycle hooks, not afterRenderEffect(): Angular's after-render runtime would add about 1 kB to
  // every app's bundle (docs/benchmarks.md#browser-bundle-the-angular-example). Both run during change
  // detection, before the browser paints, so the panel never shows at a spot off screen.
  ngAfterViewInit(): void {
    this.#place();
  }

  /**
   * `align` changed: placed again once there is a view to measure. ngDoCheck, not ngOnChanges:
   * ngOnChanges brings Angular's inputs-history runtime into the app; new content in the panel is
   * caught by the ResizeObserver.
   */
  ngDoCheck(): void {
    if (this.#placedFor !== null && this.#placedFor !== this.align()) this.#place();
  }

  protected reconnect(): void {
    reconnectQuietly(this.store);
  }

  protected setAutoReconnect(change: Event): void {
    if ((change.target as HTMLInputElement).checked) this.store.enableAutoReconnect();
    else this.store.disableAutoReconnect();
  }

  protected time(epochMs: number | null): string {
    return epochMs === null ? this.texts.none : this.#timeFormat.format(epochMs);
  }

  protected dateTime(epochMs: number): string {
    return this.#dateTimeFormat.format(epochMs);
  }

  protected isoTime(epochMs: number): string {
    return new Date(epochMs).toISOString();
  }

  #place(): void {
    this.#placedFor = this.align();
    applyPlacement(this.#renderer, this.#panel, this.#measurePlacement(this.#placedFor));
  }

  /** The panel's placement, with `left`/`top` relative to the indicator (the panel's containing block). */
  #measurePlacement(align: StatusPanelAlign): StatusPanelPlacement {
    const panel = this.#panel;
    const host = this.#indicator;
    const hostBox = host.getBoundingClientRect();
    const panelBox = panel.getBoundingClientRect();
    const root = this.#document.documentElement;
    const view = this.#document.defaultView;
    // clientWidth/Height leave out scrollbars; a document without layout reports 0, then the window's size.
    const viewport = {
      width: root.clientWidth || view?.innerWidth || 0,
      height: root.clientHeight || view?.innerHeight || 0,
    };
    // The full height even while a max-height cuts it: that decides whether it still needs one.
    const size = { width: panelBox.width, height: panelBox.height + panel.scrollHeight - panel.clientHeight };
    const rtl = view?.getComputedStyle(host).direction === 'rtl';
    const place = placeStatusPanel(hostBox, size, viewport, { align, rtl });
    return {
      ...place,
      left: place.left - hostBox.left - host.clientLeft,
      top: place.top - hostBox.top - host.clientTop,
    };
  }
}

function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(locale, options);
  } catch {
    // Angular accepts locale ids Intl does not (e.g. "en-US-POSIX"); the browser's own locale will do.
    return new Intl.DateTimeFormat(undefined, options);
  }
}

function applyPlacement(renderer: Renderer2, panel: HTMLElement, place: StatusPanelPlacement): void {
  renderer.setStyle(panel, 'left', `${place.left}px`);
  renderer.setStyle(panel, 'top', `${place.top}px`);
  renderer.setStyle(panel, 'right', 'auto');
  renderer.setStyle(panel, 'bottom', 'auto');
  if (place.maxHeight === null) renderer.removeStyle(panel, 'max-height');
  else renderer.setStyle(panel, 'max-height', `${place.maxHeight}px`);
  renderer.setAttribute(panel, 'data-placement', `${place.side}-${place.align}`);
}
