import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import type { ModerationAlert } from './moderation-alert';

@Component({
  selector: 'app-alert-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <ul class="alerts">
      @for (alert of alerts(); track alert.id) {
        <li class="alert">{{ alert.category }} — risk {{ alert.risk }}</li>
      } @empty {
        <li>No alerts yet.</li>
      }
    </ul>
  `,
})
export class AlertList {
  protected readonly alerts = signal<ModerationAlert[]>([]);
}
