import type { Observable, Subscription } from 'rxjs';
import type { HeartbeatLifecycleEvent } from '../lib/core/heartbeat-events.js';

type EventOf<T extends HeartbeatLifecycleEvent['type']> = Extract<HeartbeatLifecycleEvent, { type: T }>;

/** Records every lifecycle event of `HeartbeatService.events$` and waits for particular ones. */
export class EventLog {
  readonly events: HeartbeatLifecycleEvent[] = [];
  private readonly subscription: Subscription;
  private waiters: { accept: (event: HeartbeatLifecycleEvent) => boolean; resolve: (event: HeartbeatLifecycleEvent) => void }[] = [];

  constructor(events$: Observable<HeartbeatLifecycleEvent>) {
    this.subscription = events$.subscribe((event) => {
      this.events.push(event);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.accept(event)) return true;
        waiter.resolve(event);
        return false;
      });
    });
  }

  /** Recorded events of a type (optionally of one connection). */
  of<T extends HeartbeatLifecycleEvent['type']>(type: T, connectionId?: string): EventOf<T>[] {
    return this.events.filter((event) => event.type === type && (connectionId === undefined || event.connectionId === connectionId)) as EventOf<T>[];
  }

  /** The first event of a type (optionally of one connection), recorded already or still to come; rejects after `timeoutMs`. */
  next<T extends HeartbeatLifecycleEvent['type']>(type: T, connectionId?: string, timeoutMs = 5_000): Promise<EventOf<T>> {
    const accept = (event: HeartbeatLifecycleEvent): boolean =>
      event.type === type && (connectionId === undefined || event.connectionId === connectionId);
    const recorded = this.events.find(accept);
    if (recorded) return Promise.resolve(recorded as EventOf<T>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${type}" event within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        accept,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event as EventOf<T>);
        },
      });
    });
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}
