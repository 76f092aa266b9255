import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  Renderer2,
  DestroyRef,
  booleanAttribute,
  computed,
  inject,
  input,
  signal,
} from '@angular/core';
import { HEARTBEAT_STATUS_TEXTS } from './heartbeat-status.texts.js';
import type { StatusPanelAlign } from './status-panel-placement.js';
import { WebSocketStatusPanelComponent } from './web-socket-status-panel.component.js';
import { STATUS_CONTROL_STYLES } from './web-socket-status.styles.js';
import { WebSocketStore, reconnectQuietly } from './web-socket.store.js';

let nextPanelId = 0;

/**
 * The connection indicator `<WebSocketStatus :show-details :show-reconnect>` as an Angular component
 * (docs/angular.md#hb-websocket-status): a coloured dot with the status label; the button opens a
 * panel with connection details and manual controls.
 */
@Component({
  selector: 'hb-websocket-status',
  imports: [WebSocketStatusPanelComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    class: 'hb-websocket-status',
    '[attr.data-status]': 'store.status()',
    '[attr.data-phase]': 'store.phase()',
    '(keydown.escape)': 'closeDetails(true)',
  },
  template: `
    @if (showDetails()) {
      <button
        type="button"
        class="hb-status__indicator hb-status__toggle"
        data-testid="hb-status-toggle"
        [attr.aria-expanded]="open()"
        [attr.aria-controls]="panelId"
        [attr.aria-label]="texts.indicatorName(statusLabel())"
        (click)="toggleDetails()"
      >
        <span class="hb-status__dot" aria-hidden="true"></span>
        <span class="hb-status__label" data-testid="hb-status-label">{{ statusLabel() }}</span>
      </button>
    } @else {
      <span class="hb-status__indicator" data-testid="hb-status-toggle">
        <span class="hb-status__dot" aria-hidden="true"></span>
        <span class="hb-status__label" data-testid="hb-status-label">{{ statusLabel() }}</span>
      </span>
    }
    @if (showReconnect() && !open() && (store.status() === 'error' || store.status() === 'disconnected')) {
      <button type="button" class="hb-status__inline-action" data-testid="hb-reconnect-inline" (click)="reconnect()">
        {{ texts.reconnect }}
      </button>
    }
    <span class="hb-status__visually-hidden" role="status" aria-live="polite" data-testid="hb-status-announcer">{{
      texts.announcement(statusLabel())
    }}</span>
    @if (open()) {
      <hb-websocket-status-panel
        class="hb-status__panel"
        data-testid="hb-status-details"
        role="region"
        [id]="panelId"
        [attr.aria-label]="texts.detailsTitle"
        [showReconnect]="showReconnect()"
        [statusLabel]="statusLabel()"
        [align]="panelAlign()"
      />
    }
  `,
  styles: [
    STATUS_CONTROL_STYLES,
    `
      :host {
        --hb-dot-color: var(--hb-status-disconnected-color, #9ca3af);
        position: relative;
        display: inline-flex;
        align-items: center;
        gap: 0.5em;
        font-size: var(--hb-font-size, 0.875rem);
        color: var(--hb-color, inherit);
      }
      :host([data-status='connected']) {
        --hb-dot-color: var(--hb-status-connected-color, #16a34a);
      }
      :host([data-status='connecting']) {
        --hb-dot-color: var(--hb-status-connecting-color, #eab308);
      }
      :host([data-status='error']) {
        --hb-dot-color: var(--hb-status-error-color, #dc2626);
      }
      .hb-status__indicator {
        display: inline-flex;
        align-items: center;
        gap: 0.4em;
        padding: 0.25em 0.65em;
        border: 1px solid var(--hb-indicator-border-color, transparent);
        border-radius: 999px;
        background: var(--hb-indicator-background, transparent);
        color: inherit;
        font: inherit;
        line-height: 1.4;
      }
      .hb-status__toggle {
        cursor: pointer;
      }
      .hb-status__toggle:hover {
        background: var(--hb-indicator-hover-background, rgb(127 127 127 / 0.12));
      }
      .hb-status__visually-hidden {
        position: absolute;
        width: 1px;
        height: 1px;
        margin: -1px;
        padding: 0;
        overflow: hidden;
        clip: rect(0 0 0 0);
        white-space: nowrap;
        border: 0;
      }
    `,
  ],
})
export class WebSocketStatusComponent {
  /** Whether the indicator opens the details panel (otherwise it is a plain label). */
  readonly showDetails = input(true, { transform: booleanAttribute });
  /** Whether reconnect progress and the reconnect, reset and auto-reconnect controls are shown. */
  readonly showReconnect = input(true, { transform: booleanAttribute });
  /**
   * Which edge of the indicator the panel lines up with; `'auto'` picks the side with room. The
   * panel is kept inside the viewport whatever this says.
   */
  readonly panelAlign = input<StatusPanelAlign>('auto');

  protected readonly store = inject(WebSocketStore);
  protected readonly texts = inject(HEARTBEAT_STATUS_TEXTS);
  protected readonly panelId = `hb-websocket-status-details-${nextPanelId++}`;

  readonly #host: HTMLElement = inject(ElementRef).nativeElement;
  readonly #renderer = inject(Renderer2);
  readonly #expanded = signal(false);
  /** Removes the document's click listener, which is there only while the panel is open. */
  #stopListening: (() => void) | null = null;

  protected readonly open = computed(() => this.showDetails() && this.#expanded());
  protected readonly statusLabel = computed(() => this.texts.statuses[this.store.status()]);

  constructor() {
    inject(DestroyRef).onDestroy(() => this.#listenOutside(false));
  }

  toggleDetails(): void {
    if (this.#expanded()) this.closeDetails();
    else this.#setExpanded(true);
  }

  /** Closes the panel; with `restoreFocus` (Escape) focus goes back to the indicator button. */
  closeDetails(restoreFocus = false): void {
    if (!this.#expanded()) return;
    this.#setExpanded(false);
    if (restoreFocus) this.#host.querySelector<HTMLElement>('.hb-status__toggle')?.focus();
  }

  // The component's Angular APIs are chosen for weight (docs/benchmarks.md#browser-bundle-the-angular-example):
  // no view query (the toggle is found in the host) and no effect (the listener follows #expanded here).
  #setExpanded(expanded: boolean): void {
    this.#expanded.set(expanded);
    this.#listenOutside(expanded);
  }

  /** Listening on the document only while open keeps closed indicators out of every click. */
  #listenOutside(listen: boolean): void {
    this.#stopListening?.();
    this.#stopListening = listen ? this.#renderer.listen('document', 'click', (event: Event) => this.#closeOnOutsideClick(event)) : null;
  }

  protected reconnect(): void {
    reconnectQuietly(this.store);
  }

  #closeOnOutsideClick(event: Event): void {
    const target = event.target;
    if (target instanceof Node && this.#host.contains(target)) return;
    this.closeDetails();
  }
}
