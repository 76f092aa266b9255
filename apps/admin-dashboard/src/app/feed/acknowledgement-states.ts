/**
 * Where an operator's acknowledgement of one alert stands in this browser:
 * - `pending`: sent with `store.send()`, not yet acknowledged by the server (it waits in the
 *   client's outbox while the connection is down);
 * - `acknowledged`: the server recorded it — this browser's send was acknowledged, or topic
 *   `alerts.acks` says so (any operator's);
 * - `failed`: the send was rejected; the operator may try again.
 */
export type AcknowledgementStatus = 'pending' | 'acknowledged' | 'failed';

export interface AcknowledgementState {
  readonly status: AcknowledgementStatus;
  /** When the server recorded it, once `alerts.acks` said so (ISO-8601). */
  readonly acknowledgedAt: string | null;
  /** Why the send failed. */
  readonly error: string | null;
}

/** What an alert's row shows: `queued` is pending while the connection is down. */
export type AcknowledgementView = 'none' | 'queued' | 'sending' | 'acknowledged' | 'failed';

export type AcknowledgementStates = ReadonlyMap<string, AcknowledgementState>;

/** Alerts whose acknowledgement is tracked; the oldest are forgotten beyond this. */
export const MAX_TRACKED_ACKNOWLEDGEMENTS = 1000;

/** Sent and waiting for the server; an alert acknowledged already stays so. */
export function markPending(states: AcknowledgementStates, alertId: string): AcknowledgementStates {
  if (states.get(alertId)?.status === 'acknowledged') return states;
  return withState(states, alertId, { status: 'pending', acknowledgedAt: null, error: null });
}

/** Recorded by the server; `acknowledgedAt` from `alerts.acks` when known (kept once known). */
export function markAcknowledged(states: AcknowledgementStates, alertId: string, acknowledgedAt: string | null): AcknowledgementStates {
  const current = states.get(alertId);
  if (current?.status === 'acknowledged' && (current.acknowledgedAt !== null || acknowledgedAt === null)) return states;
  return withState(states, alertId, { status: 'acknowledged', acknowledgedAt, error: null });
}

/** The send was rejected; an alert acknowledged meanwhile (by anyone) stays acknowledged. */
export function markFailed(states: AcknowledgementStates, alertId: string, error: string): AcknowledgementStates {
  if (states.get(alertId)?.status === 'acknowledged') return states;
  return withState(states, alertId, { status: 'failed', acknowledgedAt: null, error });
}

/** What the row of `alertId` shows, given whether the client is connected. */
export function acknowledgementView(state: AcknowledgementState | undefined, connected: boolean): AcknowledgementView {
  if (!state) return 'none';
  if (state.status === 'pending') return connected ? 'sending' : 'queued';
  return state.status;
}

function withState(states: AcknowledgementStates, alertId: string, state: AcknowledgementState, limit = MAX_TRACKED_ACKNOWLEDGEMENTS): AcknowledgementStates {
  const next = new Map(states);
  next.delete(alertId); // re-inserted last: the newest survive the limit
  next.set(alertId, state);
  while (next.size > limit) next.delete(next.keys().next().value as string);
  return next;
}
