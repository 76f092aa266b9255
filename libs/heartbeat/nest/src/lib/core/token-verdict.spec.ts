import { decideToken } from './token-verdict.js';

describe('decideToken', () => {
  const now = 1_000_000;

  it('accepts true without an expiry', () => {
    expect(decideToken(true, now)).toEqual({ accepted: true, expiresAt: undefined });
  });

  it('refuses false', () => {
    expect(decideToken(false, now)).toEqual({ accepted: false, malformed: false });
  });

  it('accepts { expiresAt } in the future until then', () => {
    expect(decideToken({ expiresAt: now + 1 }, now)).toEqual({ accepted: true, expiresAt: now + 1 });
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
  ])('refuses %s as malformed', (_case, verdict) => {
    expect(decideToken(verdict, now)).toEqual({ accepted: false, malformed: true });
  });
});
