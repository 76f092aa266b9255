import { ChangeDetectionStrategy, Component } from '@angular/core';
import { WebSocketStatusComponent } from '@heartbeat/angular';
import { AlertList } from './alerts/alert-list';

@Component({
  selector: 'app-root',
  imports: [WebSocketStatusComponent, AlertList],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="top-bar">
      <hb-websocket-status [showDetails]="true" [showReconnect]="true" />
      <h1>Content-safety alerts</h1>
    </header>
    <main><app-alert-list /></main>
  `,
  styleUrl: './app.css',
})
export class App {}
