import { sumTotals } from './sum-totals.js';

describe('sumTotals', () => {
  it('adds counters, keeps the latest cleanup and drains when any node drains', () => {
    const node = (active: number, cleanup: number | null, draining: boolean) => ({
      total_pings_sent: active * 10,
      total_pongs_received: active * 9,
      total_client_pings: 1,
      timeout_disconnections: 0,
      active_connections: active,
      last_cleanup_time: cleanup,
      resumed_sessions: 2,
      draining,
    });
    expect(sumTotals([node(1, 100, false), node(2, null, true), node(3, 300, false)])).toEqual({
      total_pings_sent: 60,
      total_pongs_received: 54,
      total_client_pings: 3,
      timeout_disconnections: 0,
      active_connections: 6,
      last_cleanup_time: 300,
      resumed_sessions: 6,
      draining: true,
    });
  });

  it('is all zeros for no node', () => {
    expect(sumTotals([])).toMatchObject({ active_connections: 0, last_cleanup_time: null, draining: false });
  });
});
