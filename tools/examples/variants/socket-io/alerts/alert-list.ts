import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { AlertSocket } from './alert-socket';

@Component({
  selector: 'app-alert-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (!socket.connected()) {
      <p class="offline">Offline.</p>
    }
    <ul class="alerts">
      @for (alert of socket.alerts(); track alert.id) {
        <li class="alert">{{ alert.category }} — risk {{ alert.risk }}</li>
      } @empty {
        <li>No alerts yet.</li>
      }
    </ul>
  `,
})
export class AlertList {
  protected readonly socket = inject(AlertSocket);
}
