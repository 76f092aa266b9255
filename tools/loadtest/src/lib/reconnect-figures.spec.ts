import { describe, expect, it } from '@jest/globals';
import { reconnectFigures } from './reconnect-figures.js';

describe('reconnectFigures', () => {
  it('measures from `since` to the first connection of each client after it', () => {
    const figures = reconnectFigures(
      {
        clients: [
          { established: [500, 1_200], lost: [] },
          { established: [1_900], lost: [] },
          { established: [1_500, 2_600], lost: [] },
        ],
        failedAttempts: [
          { at: 900, reason: 'refused' },
          { at: 1_000, reason: 'closed with 1013 before welcome' },
          { at: 1_700, reason: 'closed with 1013 before welcome' },
        ],
      },
      1_000,
    );
    expect(figures).toEqual({
      clients: 3,
      back: 3,
      allBackMs: 900,
      medianBackMs: 500,
      peakAcceptsPerSecond: 3,
      failedHandshakes: 2,
      failureReasons: { 'closed with 1013 before welcome': 2 },
    });
  });

  it('has no all-back time while a client is still away', () => {
    const figures = reconnectFigures({ clients: [{ established: [1_100], lost: [] }, { established: [], lost: [] }], failedAttempts: [] }, 1_000);
    expect(figures.back).toBe(1);
    expect(figures.allBackMs).toBeNaN();
  });
});
