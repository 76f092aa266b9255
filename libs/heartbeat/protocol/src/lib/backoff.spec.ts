import { backoffDelay } from './backoff.js';
import { CLIENT_DEFAULTS } from './defaults.js';

describe('backoffDelay', () => {
  it('reproduces the source schedule with jitter 0', () => {
    const opts = { ...CLIENT_DEFAULTS, jitter: 0 };
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(n, opts))).toEqual([5000, 7500, 11250, 16875, 25312.5]);
  });
});
