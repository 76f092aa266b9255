import {
  acknowledgementView,
  MAX_TRACKED_ACKNOWLEDGEMENTS,
  markAcknowledged,
  markFailed,
  markPending,
  type AcknowledgementStates,
} from './acknowledgement-states';

const EMPTY: AcknowledgementStates = new Map();
const AT = '2026-01-01T12:00:00.000Z';

describe('markPending', () => {
  it('marks an alert pending', () => {
    expect(markPending(EMPTY, 'a').get('a')).toEqual({ status: 'pending', acknowledgedAt: null, duplicate: false, error: null });
  });

  it('leaves an acknowledged alert acknowledged', () => {
    const acknowledged = markAcknowledged(EMPTY, 'a', AT);

    expect(markPending(acknowledged, 'a')).toBe(acknowledged);
  });

  it('turns a failed alert pending again (a retry)', () => {
    expect(markPending(markFailed(EMPTY, 'a', 'boom'), 'a').get('a')?.status).toBe('pending');
  });

  it(`tracks at most ${MAX_TRACKED_ACKNOWLEDGEMENTS} alerts, forgetting the oldest`, () => {
    let states = EMPTY;
    for (let i = 0; i <= MAX_TRACKED_ACKNOWLEDGEMENTS; i++) states = markPending(states, `a${i}`);

    expect(states.size).toBe(MAX_TRACKED_ACKNOWLEDGEMENTS);
    expect(states.has('a0')).toBe(false);
    expect(states.has(`a${MAX_TRACKED_ACKNOWLEDGEMENTS}`)).toBe(true);
  });
});

describe('markAcknowledged', () => {
  it('records the time from alerts.acks, also after the send resolved without one', () => {
    const fromSend = markAcknowledged(markPending(EMPTY, 'a'), 'a', null);
    const fromTopic = markAcknowledged(fromSend, 'a', AT);

    expect(fromSend.get('a')).toEqual({ status: 'acknowledged', acknowledgedAt: null, duplicate: false, error: null });
    expect(fromTopic.get('a')).toEqual({ status: 'acknowledged', acknowledgedAt: AT, duplicate: false, error: null });
    expect(markAcknowledged(fromTopic, 'a', null)).toBe(fromTopic);
    expect(markAcknowledged(fromTopic, 'a', '2027-01-01T00:00:00.000Z')).toBe(fromTopic);
  });

  it("keeps the server's answer that the alert was acknowledged already, with the first acknowledgement's time", () => {
    const answered = markAcknowledged(markPending(EMPTY, 'a'), 'a', AT, true);
    expect(answered.get('a')).toEqual({ status: 'acknowledged', acknowledgedAt: AT, duplicate: true, error: null });
    expect(markAcknowledged(answered, 'a', '2027-01-01T00:00:00.000Z')).toBe(answered);
  });

  it('learns that an alert marked from alerts.acks was a duplicate when the answer to its request says so', () => {
    const fromTopic = markAcknowledged(markPending(EMPTY, 'a'), 'a', AT);
    expect(markAcknowledged(fromTopic, 'a', AT, true).get('a')).toEqual({ status: 'acknowledged', acknowledgedAt: AT, duplicate: true, error: null });
  });
});

describe('markFailed', () => {
  it('keeps the error of a pending alert', () => {
    expect(markFailed(markPending(EMPTY, 'a'), 'a', 'outbox full').get('a')).toEqual({ status: 'failed', acknowledgedAt: null, duplicate: false, error: 'outbox full' });
  });

  it('leaves an alert acknowledged meanwhile acknowledged', () => {
    const acknowledged = markAcknowledged(EMPTY, 'a', AT);

    expect(markFailed(acknowledged, 'a', 'disconnect() was called')).toBe(acknowledged);
  });
});

describe('acknowledgementView', () => {
  it.each([
    [undefined, true, 'none'],
    [{ status: 'pending', acknowledgedAt: null, duplicate: false, error: null }, true, 'sending'],
    [{ status: 'pending', acknowledgedAt: null, duplicate: false, error: null }, false, 'queued'],
    [{ status: 'acknowledged', acknowledgedAt: AT, duplicate: false, error: null }, false, 'acknowledged'],
    [{ status: 'failed', acknowledgedAt: null, duplicate: false, error: 'x' }, true, 'failed'],
  ] as const)('shows %j (connected %s) as %s', (state, connected, view) => {
    expect(acknowledgementView(state, connected)).toBe(view);
  });
});
