import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { AlertList } from './alerts/alert-list';
import { AlertSocket } from './alerts/alert-socket';

@Component({
  selector: 'app-root',
  imports: [AlertList],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="top-bar">
      <span class="status">{{ socket.connected() ? 'connected' : 'connecting' }}</span>
      <h1>Content-safety alerts</h1>
    </header>
    <main><app-alert-list /></main>
  `,
  styleUrl: './app.css',
})
export class App {
  protected readonly socket = inject(AlertSocket);
}
