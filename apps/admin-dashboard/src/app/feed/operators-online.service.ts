import { Injectable, type Signal, inject } from '@angular/core';
import { WebSocketStore } from '@heartbeat/angular';
import type { PresenceMember } from '@heartbeat/protocol';
import { ALERTS_TOPIC } from './moderation-alert';

/**
 * The operators online: the presence of topic `alerts` on the monitor server (its `presence`
 * option), kept by the store across reconnects (docs/angular.md#presence).
 */
@Injectable({ providedIn: 'root' })
export class OperatorsOnline {
  readonly members: Signal<readonly PresenceMember[]> = inject(WebSocketStore).presence(ALERTS_TOPIC);
}
