import { Component } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { ConnectionFailure, type WebSocketLike } from '@heartbeat/client';
import { filter, firstValueFrom } from 'rxjs';
import { provideHeartbeat } from './heartbeat.providers.js';
import { WebSocketStatusComponent } from './web-socket-status.component.js';
import { WebSocketStore } from './web-socket.store.js';

type Listener = (event: never) => void;

/**
 * A browser's WebSocket whose upgrade fails: an empty `error` Event, then close 1006. Browsers
 * report nothing listening, a wrong path and a refused origin all alike.
 */
class FailingUpgradeWebSocket implements WebSocketLike {
  readyState = 0;
  readonly #events = new EventTarget();

  constructor(readonly url: string) {
    setTimeout(() => {
      this.readyState = 3;
      this.#events.dispatchEvent(new Event('error'));
      this.#events.dispatchEvent(Object.assign(new Event('close'), { code: 1006, reason: '', wasClean: false }));
    });
  }

  send(): void {
    throw new Error('FailingUpgradeWebSocket never opens');
  }

  close(): void {
    this.readyState = 3;
  }

  addEventListener(type: string, listener: Listener): void {
    this.#events.addEventListener(type, listener as unknown as EventListener);
  }

  removeEventListener(type: string, listener: Listener): void {
    this.#events.removeEventListener(type, listener as unknown as EventListener);
  }
}

@Component({
  selector: 'hb-test-host',
  imports: [WebSocketStatusComponent],
  template: `<hb-websocket-status />`,
})
class HostComponent {}

describe('WebSocketStatusComponent', () => {
  describe('with a real client whose first connection fails in a browser', () => {
    const URL = 'ws://localhost:3000/ws';
    let fixture: ComponentFixture<HostComponent>;
    let store: WebSocketStore;

    const byTestId = (id: string): HTMLElement | null => fixture.nativeElement.querySelector(`[data-testid="${id}"]`);
    const text = (id: string): string => byTestId(id)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

    beforeEach(async () => {
      TestBed.configureTestingModule({
        providers: [
          provideHeartbeat({
            url: URL,
            webSocket: FailingUpgradeWebSocket,
            reconnectInterval: 0,
            maxReconnectAttempts: 1,
            suspendedRetryInterval: 0,
          }),
        ],
      });
      fixture = TestBed.createComponent(HostComponent);
      store = TestBed.inject(WebSocketStore);
      await fixture.whenStable();
    });

    it('shows the cause, with what to check, after the attempts ran out', async () => {
      store.connect().catch(() => undefined);
      await firstValueFrom(store.state$.pipe(filter((state) => state.phase === 'failed')));
      (byTestId('hb-status-toggle') as HTMLButtonElement).click();
      await fixture.whenStable();

      // jsdom's page is http://localhost: the origin a browser would send, and the one to list.
      const cause = ConnectionFailure.beforeOpen(new Event('error'), URL, 'http://localhost').message;
      expect(store.lastErrorKind()).toBe('upgrade-failed');
      expect(text('hb-error')).toBe(`Could not reconnect after 1 attempt; call connect() to try again. Last error: ${cause}`);
      expect(text('hb-error')).toContain("does the server's `allowedOrigins` list this page's origin (http://localhost)");
      expect(text('hb-status-label')).toBe('Connection error');
    });
  });
});
