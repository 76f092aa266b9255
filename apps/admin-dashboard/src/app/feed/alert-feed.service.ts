import { Injectable, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { WebSocketStore } from '@heartbeat/angular';
import { filter } from 'rxjs';
import { type FeedItem, prependAlert, prependResync } from './feed-items';
import { ALERTS_TOPIC, type ModerationAlert } from './moderation-alert';

/**
 * The live alert feed: topic `alerts` from the moment the app starts, newest first. The client
 * resumes the topic across reconnects without gaps or duplicates; when it cannot (the server lost
 * its buffer), a resync marker shows where alerts are missing.
 */
@Injectable({ providedIn: 'root' })
export class AlertFeed {
  private readonly store = inject(WebSocketStore);

  readonly items = signal<readonly FeedItem[]>([]);
  /** Alerts received since the app started (the list keeps only the latest). */
  readonly received = signal(0);
  readonly resyncs = signal(0);

  constructor() {
    this.store
      .subscribe<ModerationAlert>(ALERTS_TOPIC)
      .pipe(takeUntilDestroyed())
      .subscribe((event) => {
        this.items.update((items) => prependAlert(items, event));
        this.received.update((count) => count + 1);
      });
    this.store
      .events('gap')
      .pipe(
        filter((gap) => gap.topic === ALERTS_TOPIC),
        takeUntilDestroyed(),
      )
      .subscribe((gap) => {
        this.items.update((items) => prependResync(items, gap, Date.now()));
        this.resyncs.update((count) => count + 1);
      });
  }
}
