import type { HeartbeatAuthContext } from '@heartbeat/nest';
import { clientTokenVerifier } from './client-token-verifier.js';

const context = {} as HeartbeatAuthContext;

describe('clientTokenVerifier', () => {
  it('accepts a token of the list without expiry when no TTL is set', () => {
    const verify = clientTokenVerifier([{ token: 'a', userId: undefined }, { token: 'b', userId: undefined }], undefined);
    expect(verify('b', context)).toBe(true);
  });

  it('refuses a missing or unknown token', () => {
    const verify = clientTokenVerifier([{ token: 'a', userId: undefined }], 60_000);
    expect(verify(undefined, context)).toBe(false);
    expect(verify('', context)).toBe(false);
    expect(verify('A', context)).toBe(false);
  });

  it('gives each acceptance an expiry of now + TTL', () => {
    let now = 1_000;
    const verify = clientTokenVerifier([{ token: 'a', userId: undefined }], 60_000, () => now);
    expect(verify('a', context)).toEqual({ expiresAt: 61_000 });
    now = 31_000;
    expect(verify('a', context)).toEqual({ expiresAt: 91_000 });
  });
});
