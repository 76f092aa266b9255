import { Subject } from 'rxjs';
import type { HeartbeatLifecycleEvent } from './heartbeat-events.js';

/**
 * The one stream of connection lifecycle events (`HeartbeatService.events$`). Every service that
 * decides something about a connection emits here; the order of what happens when a connection
 * closes is ConnectionRegistry's (docs/server.md#architecture).
 */
export class LifecycleEvents {
  private readonly subject = new Subject<HeartbeatLifecycleEvent>();
  readonly events$ = this.subject.asObservable();

  emit(event: HeartbeatLifecycleEvent): void {
    this.subject.next(event);
  }
}
