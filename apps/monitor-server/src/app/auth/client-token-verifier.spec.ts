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

  it('names the user of a user:token entry, with the expiry when a TTL is set', () => {
    let now = 1_000;
    const tokens = [
      { token: 'a', userId: 'alice' },
      { token: 'k', userId: undefined },
    ];
    expect(clientTokenVerifier(tokens, undefined)('a', context)).toEqual({ userId: 'alice' });
    expect(clientTokenVerifier(tokens, undefined)('k', context)).toBe(true);
    const expiring = clientTokenVerifier(tokens, 60_000, () => now);
    expect(expiring('a', context)).toEqual({ userId: 'alice', expiresAt: 61_000 });
    now = 2_000;
    expect(expiring('k', context)).toEqual({ expiresAt: 62_000 });
  });

  it("does not take a user's name for their token", () => {
    const verify = clientTokenVerifier([{ token: 'a', userId: 'alice' }], undefined);
    expect(verify('alice', context)).toBe(false);
    expect(verify('alice:a', context)).toBe(false);
  });
});
