import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { WebSocketStore, type TopicEvent } from '@heartbeat/angular';
import { scan } from 'rxjs';
import type { ModerationAlert } from './moderation-alert';

@Component({
  selector: 'app-alert-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (!store.isConnected()) {
      <p class="offline">Offline — alerts resume where they left off.</p>
    }
    <ul class="alerts">
      @for (alert of alerts(); track alert.epoch + ':' + alert.seq) {
        <li class="alert" [attr.data-seq]="alert.seq">
          #{{ alert.seq }} {{ alert.data.category }} — risk {{ alert.data.risk }}
        </li>
      } @empty {
        <li>No alerts yet.</li>
      }
    </ul>
  `,
})
export class AlertList {
  protected readonly store = inject(WebSocketStore);
  // Each event once, in order, across reconnects; seq starts again at 1 in a new epoch (a server
  // that lost its buffer), hence the track key. toSignal unsubscribes when the list is destroyed.
  protected readonly alerts = toSignal(
    this.store
      .subscribe<ModerationAlert>('alerts')
      .pipe(scan((list, event) => [event, ...list].slice(0, 50), [] as TopicEvent<ModerationAlert>[])),
    { initialValue: [] },
  );
}
