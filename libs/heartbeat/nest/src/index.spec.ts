import * as nest from './index.js';

describe('@heartbeat/nest', () => {
  it('exports exactly the public runtime API', () => {
    expect(Object.keys(nest).sort()).toEqual([
      'Clock',
      'HEARTBEAT_OPTIONS',
      'HeartbeatHandler',
      'HeartbeatModule',
      'HeartbeatOptionsError',
      'HeartbeatService',
      'HeartbeatWsAdapter',
    ]);
  });
});
