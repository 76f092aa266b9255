import { Injectable, type Signal, computed, inject } from '@angular/core';
import { WebSocketStore } from '@heartbeat/angular';
import type { PresenceMember } from '@heartbeat/protocol';
import { ALERTS_TOPIC } from './moderation-alert';

/** Who is online, or why nobody can say: the server refused the topic or its presence. */
export interface OnlineOperators {
  readonly members: readonly PresenceMember[];
  /** The sentence of the server's refusal; null while the list is the server's. */
  readonly problem: string | null;
}

/**
 * The operators online: the presence of topic `alerts` on the monitor server (its `presence`
 * option), kept by the store across reconnects (docs/angular.md#presence).
 */
@Injectable({ providedIn: 'root' })
export class OperatorsOnline {
  readonly #members = inject(WebSocketStore).presence(ALERTS_TOPIC);

  /** The store's signal throws the refusal once the server refused; the panel shows it instead. */
  readonly state: Signal<OnlineOperators> = computed(() => {
    try {
      return { members: this.#members(), problem: null };
    } catch (error) {
      return { members: [], problem: error instanceof Error ? error.message : String(error) };
    }
  });
}
