import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { WebSocketStatusComponent, WebSocketStore } from '@heartbeat/angular';

/** The shell: top bar with navigation, this browser's session and the connection status. */
@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, WebSocketStatusComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="top-bar">
      <a class="brand" routerLink="/">Content-safety monitor</a>
      <nav aria-label="Pages">
        <a routerLink="/" routerLinkActive="active" [routerLinkActiveOptions]="{ exact: true }" ariaCurrentWhenActive="page">Live alerts</a>
        <a routerLink="/admin" routerLinkActive="active" ariaCurrentWhenActive="page">Connections</a>
      </nav>
      <span class="session" title="The session id the server gave this browser, and whether the server resumed it on the last (re)connect">
        session <code data-testid="session-id">{{ store.sessionId() ?? '–' }}</code>
        @if (store.sessionId()) {
          <span data-testid="session-resumed" [attr.data-resumed]="store.sessionResumed()">{{ store.sessionResumed() ? 'resumed' : 'new' }}</span>
        }
        @if (store.pendingMessages() > 0) {
          <span data-testid="pending-messages" title="Messages sent or queued and not yet acknowledged by the server">· {{ store.pendingMessages() }} awaiting ack</span>
        }
      </span>
      <hb-websocket-status [showDetails]="true" [showReconnect]="true" />
    </header>
    <main>
      <router-outlet />
    </main>
  `,
  styles: `
    :host { display: block; min-height: 100vh; }
    .top-bar {
      position: sticky;
      top: 0;
      z-index: 10;
      display: flex;
      align-items: center;
      gap: 1.5rem;
      padding: 0.5rem 1.25rem;
      background: var(--bar);
      color: var(--bar-text);
    }
    .brand { font-weight: 700; color: inherit; text-decoration: none; }
    nav { display: flex; gap: 1rem; flex: 1; }
    nav a { color: var(--bar-muted); text-decoration: none; padding: 0.25rem 0; border-bottom: 2px solid transparent; }
    nav a.active { color: var(--bar-text); border-bottom-color: var(--accent); }
    .session { font-size: 0.75rem; color: var(--bar-muted); }
    .session [data-testid='session-resumed'], .session [data-testid='pending-messages'] { margin-left: 0.35rem; }
    main { padding: 1.25rem; max-width: 90rem; margin: 0 auto; }
  `,
})
export class AppComponent {
  protected readonly store = inject(WebSocketStore);
}
