import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { PresenceMember } from '@heartbeat/protocol';

/**
 * The operators online: the members of topic `alerts` (docs/dashboard.md), each user with their
 * open dashboards and since when. Dashboards opened with an anonymous (bare) token are not members.
 */
@Component({
  selector: 'app-online-panel',
  imports: [DatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <aside class="online" aria-labelledby="online-title" data-testid="online-panel">
      <h2 id="online-title">Online <span class="count" data-testid="online-count">{{ members().length }}</span></h2>
      @if (problem(); as problem) {
        <p class="note" role="alert" data-testid="online-problem">Who is online is unknown: {{ problem }}</p>
      } @else if (!connected()) {
        <p class="note">Not connected: who is online is unknown.</p>
      } @else if (members().length === 0) {
        <p class="note" data-testid="online-empty">No operator online. Dashboards opened with an anonymous token do not count.</p>
      } @else {
        <ul>
          @for (member of sorted(); track member.user_id) {
            <li data-testid="online-member" [attr.data-user-id]="member.user_id">
              <span class="user">{{ member.user_id }}</span>
              <span class="connections" title="Open dashboards">{{ member.connections }} {{ member.connections === 1 ? 'dashboard' : 'dashboards' }}</span>
              <span class="since">since <time [attr.datetime]="member.since | date: 'yyyy-MM-ddTHH:mm:ss.SSSZ'">{{ member.since | date: 'HH:mm:ss' }}</time></span>
            </li>
          }
        </ul>
      }
    </aside>
  `,
  styles: `
    .online { padding: 0.5rem 0.75rem; margin-bottom: 0.75rem; background: var(--surface); border-radius: 6px; font-size: 0.875rem; }
    h2 { margin: 0 0 0.35rem; font-size: 0.95rem; }
    .count { font-variant-numeric: tabular-nums; color: var(--text-muted); }
    ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.35rem 1.25rem; }
    .user { font-weight: 600; margin-right: 0.4rem; }
    .connections, .since { color: var(--text-muted); margin-right: 0.4rem; }
    .note { margin: 0; color: var(--text-muted); }
  `,
})
export class OnlinePanelComponent {
  /** The members of `alerts`, as the server lists them. */
  readonly members = input.required<readonly PresenceMember[]>();
  /** Whether the dashboard is connected (the list is the server's only then). */
  readonly connected = input.required<boolean>();
  /** Why the server gives no list (it refused the topic or its presence); null when it does. */
  readonly problem = input<string | null>(null);
  /** Longest present first. */
  protected readonly sorted = computed(() => [...this.members()].sort((a, b) => a.since - b.since));
}
