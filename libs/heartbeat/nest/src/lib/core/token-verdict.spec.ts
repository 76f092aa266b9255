import { decideToken } from './token-verdict.js';

describe('decideToken', () => {
  const now = 1_000_000;

  it('accepts true without an expiry, anonymous', () => {
    expect(decideToken(true, now)).toEqual({ accepted: true, expiresAt: undefined, identity: undefined });
  });

  it('refuses false', () => {
    expect(decideToken(false, now)).toEqual({ accepted: false, malformed: false });
  });

  it('accepts { expiresAt } in the future until then', () => {
    expect(decideToken({ expiresAt: now + 1 }, now)).toEqual({ accepted: true, expiresAt: now + 1, identity: undefined });
  });

  it('accepts { userId } without an expiry, for that user with no claims', () => {
    expect(decideToken({ userId: 'alice' }, now)).toEqual({ accepted: true, expiresAt: undefined, identity: { userId: 'alice', claims: {} } });
  });

  it('accepts { userId, claims, expiresAt } until then, with a copy of the claims', () => {
    const claims = { role: 'operator', teams: ['a', 'b'] };
    const decision = decideToken({ userId: 'alice', claims, expiresAt: now + 5 }, now);
    expect(decision).toEqual({ accepted: true, expiresAt: now + 5, identity: { userId: 'alice', claims } });
    claims.role = 'admin';
    expect(decision.accepted && decision.identity?.claims['role']).toBe('operator');
  });

  it('accepts a user id of 128 characters and claims without a prototype', () => {
    const claims = Object.assign(Object.create(null) as Record<string, unknown>, { role: 'x' });
    expect(decideToken({ userId: 'u'.repeat(128), claims }, now)).toMatchObject({ accepted: true, identity: { userId: 'u'.repeat(128) } });
  });

  it('refuses a user token whose expiresAt has already come, without calling it malformed', () => {
    expect(decideToken({ userId: 'alice', expiresAt: now }, now)).toEqual({ accepted: false, malformed: false });
  });

  it('refuses a token whose expiresAt has already come', () => {
    expect(decideToken({ expiresAt: now }, now)).toEqual({ accepted: false, malformed: false });
    expect(decideToken({ expiresAt: now - 60_000 }, now)).toEqual({ accepted: false, malformed: false });
  });

  it('accepts { userId, claims?, expiresAt? } for that user', () => {
    expect(decideToken({ userId: 'ada' }, now)).toEqual({ accepted: true, expiresAt: undefined, identity: { userId: 'ada', claims: {} } });
    expect(decideToken({ userId: 'ada', claims: { role: 'ops' }, expiresAt: now + 1 }, now)).toEqual({
      accepted: true,
      expiresAt: now + 1,
      identity: { userId: 'ada', claims: { role: 'ops' } },
    });
  });

  it.each([
    ['an empty userId', { userId: '' }],
    ['a numeric userId', { userId: 7 }],
    ['undefined', undefined],
    ['null', null],
    ['a truthy string', 'yes'],
    ['1', 1],
    ['an object without expiresAt', { valid: true }],
    ['a string expiresAt', { expiresAt: '2030-01-01' }],
    ['a NaN expiresAt', { expiresAt: Number.NaN }],
    ['an infinite expiresAt', { expiresAt: Number.POSITIVE_INFINITY }],
    ['an empty userId', { userId: '' }],
    ['a userId of 129 characters', { userId: 'u'.repeat(129) }],
    ['a numeric userId', { userId: 42 }],
    ['a null userId', { userId: null }],
    ['claims that are an array', { userId: 'alice', claims: ['admin'] }],
    ['claims that are a string', { userId: 'alice', claims: 'admin' }],
    ['claims that are a Date', { userId: 'alice', claims: new Date(0) }],
    ['claims without a userId', { expiresAt: now + 1, claims: { role: 'admin' } }],
    ['an array', [{ userId: 'alice' }]],
  ])('refuses %s as malformed', (_case, verdict) => {
    expect(decideToken(verdict, now)).toEqual({ accepted: false, malformed: true });
  });
});
