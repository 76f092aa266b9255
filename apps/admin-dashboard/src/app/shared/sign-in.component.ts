import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import { WebSocketStore } from '@heartbeat/angular';
import { DashboardCredentials } from '../settings/dashboard-credentials';

/**
 * Asks for the tokens when the server refused them or gave none (it hands them out only in demo mode,
 * to browsers on its own machine). They are kept in sessionStorage, so they are gone with the tab.
 */
@Component({
  selector: 'app-sign-in',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="sign-in" data-testid="sign-in" (submit)="submit($event)">
      <p class="reason" role="alert">{{ reason() }}</p>
      <label>
        Client token
        <input name="clientToken" type="password" autocomplete="off" [value]="clientToken()" (input)="clientToken.set(valueOf($event))" />
      </label>
      <label>
        Admin token
        <input name="adminToken" type="password" autocomplete="off" [value]="adminToken()" (input)="adminToken.set(valueOf($event))" />
      </label>
      <button type="submit">Save and connect</button>
    </form>
  `,
  styles: `
    .sign-in {
      display: flex;
      flex-wrap: wrap;
      align-items: end;
      gap: 0.75rem;
      padding: 0.75rem 1rem;
      margin-bottom: 1rem;
      background: var(--warning-surface);
      border: 1px solid var(--warning);
      border-radius: 6px;
    }
    .reason { flex-basis: 100%; margin: 0; }
    label { display: grid; gap: 0.25rem; font-size: 0.875rem; }
  `,
})
export class SignInComponent {
  private readonly credentials = inject(DashboardCredentials);
  private readonly store = inject(WebSocketStore);

  /** What went wrong, as a sentence that says what to enter. */
  readonly reason = input.required<string>();
  /** The tokens were saved (the client reconnects by itself). */
  readonly saved = output<void>();

  protected readonly clientToken = signal(this.credentials.clientToken() ?? '');
  protected readonly adminToken = signal(this.credentials.adminToken() ?? '');

  protected valueOf(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected submit(event: Event): void {
    event.preventDefault();
    this.credentials.save({ clientToken: this.clientToken().trim() || null, adminToken: this.adminToken().trim() || null });
    this.saved.emit();
    if (!this.store.isConnected()) {
      this.store.resetReconnectState();
      this.store.enableAutoReconnect();
      // A failure shows in the status indicator; auto-reconnect keeps trying.
      this.store.connect().catch(() => undefined);
    }
  }
}
