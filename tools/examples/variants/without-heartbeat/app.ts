import { ChangeDetectionStrategy, Component } from '@angular/core';
import { AlertList } from './alerts/alert-list';

@Component({
  selector: 'app-root',
  imports: [AlertList],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="top-bar">
      <span class="status">offline</span>
      <h1>Content-safety alerts</h1>
    </header>
    <main><app-alert-list /></main>
  `,
  styleUrl: './app.css',
})
export class App {}
