/**
 * Where an operator's acknowledgement of one alert stands in this browser:
 * - `pending`: requested (`alerts.ack`), not yet answered by the server (the request waits for the
 *   connection while it is down);
 * - `acknowledged`: the server recorded it — it answered this browser's request, or topic
 *   `alerts.acks` says so (any operator's);
 * - `failed`: the request was refused or got no answer; the operator may try again.
 */
export type AcknowledgementStatus = 'pending' | 'acknowledged' | 'failed';

export interface AcknowledgementState {
  readonly status: AcknowledgementStatus;
  /** When the server recorded it, once its answer or `alerts.acks` said so (ISO-8601). */
  readonly acknowledgedAt: string | null;
  /** The server answered that the alert was acknowledged already (by another operator, or an earlier request). */
  readonly duplicate: boolean;
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
  return withState(states, alertId, { status: 'pending', acknowledgedAt: null, duplicate: false, error: null });
}

/**
 * Recorded by the server: `acknowledgedAt` from its answer or `alerts.acks` when known (the first
 * known time is kept), `duplicate` when its answer said the alert was acknowledged already.
 */
export function markAcknowledged(states: AcknowledgementStates, alertId: string, acknowledgedAt: string | null, duplicate = false): AcknowledgementStates {
  const current = states.get(alertId);
  if (current?.status === 'acknowledged' && (current.acknowledgedAt !== null || acknowledgedAt === null) && (current.duplicate || !duplicate)) return states;
  const known = current?.status === 'acknowledged' ? current : undefined;
  return withState(states, alertId, {
    status: 'acknowledged',
    acknowledgedAt: known?.acknowledgedAt ?? acknowledgedAt,
    duplicate: duplicate || (known?.duplicate ?? false),
    error: null,
  });
}

/** The send was rejected; an alert acknowledged meanwhile (by anyone) stays acknowledged. */
export function markFailed(states: AcknowledgementStates, alertId: string, error: string): AcknowledgementStates {
  if (states.get(alertId)?.status === 'acknowledged') return states;
  return withState(states, alertId, { status: 'failed', acknowledgedAt: null, duplicate: false, error });
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
