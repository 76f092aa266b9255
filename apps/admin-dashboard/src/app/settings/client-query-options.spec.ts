import { parseClientQuery, withoutTokens } from './client-query-options';

describe('parseClientQuery', () => {
  it('reads the timing options the e2e and operators use', () => {
    const parsed = parseClientQuery('?reconnectInterval=500&pingInterval=1000&pongTimeout=800&maxReconnectAttempts=8&jitter=0&debug=1');
    expect(parsed).toEqual({
      options: { reconnectInterval: 500, pingInterval: 1000, pongTimeout: 800, maxReconnectAttempts: 8, jitter: 0, debug: true },
      warnings: [],
    });
  });

  it('reads every other timing option, the preset and debug=0', () => {
    const parsed = parseClientQuery(
      'backoffMultiplier=1.5&maxReconnectInterval=30000&maxMissedPongs=3&connectTimeout=4000&suspendedRetryInterval=0&preset=mobile&debug=0',
    );
    expect(parsed.options).toEqual({
      backoffMultiplier: 1.5,
      maxReconnectInterval: 30_000,
      maxMissedPongs: 3,
      connectTimeout: 4000,
      suspendedRetryInterval: 0,
      preset: 'mobile',
      debug: false,
    });
    expect(parsed.warnings).toEqual([]);
  });

  it('takes the client and admin tokens', () => {
    expect(parseClientQuery('?token=abc&adminToken=root')).toMatchObject({ token: 'abc', adminToken: 'root', options: {} });
  });

  it('leaves out empty tokens', () => {
    const parsed = parseClientQuery('?token=&adminToken=%20');
    expect(parsed).not.toHaveProperty('token');
    expect(parsed).not.toHaveProperty('adminToken');
  });

  it.each([
    ['reconnectInterval=fast', 'reconnectInterval', 'a number of milliseconds, 0 or more'],
    ['reconnectInterval=', 'reconnectInterval', 'a number of milliseconds, 0 or more'],
    ['pingInterval=0', 'pingInterval', 'a positive number of milliseconds'],
    ['pongTimeout=-5', 'pongTimeout', 'a positive number of milliseconds'],
    ['maxReconnectAttempts=-1', 'maxReconnectAttempts', 'a whole number, 0 or more'],
    ['maxMissedPongs=1.5', 'maxMissedPongs', 'a whole number, 1 or more'],
    ['jitter=2', 'jitter', 'a fraction from 0 to 1'],
    ['backoffMultiplier=0.5', 'backoffMultiplier', 'a number, 1 or more'],
    ['connectTimeout=Infinity', 'connectTimeout', 'a positive number of milliseconds'],
    ['debug=maybe', 'debug', 'use 1'],
    ['preset=satellite', 'preset', 'stable, unstable, mobile'],
  ])('ignores %s with a warning that names %s', (query, name, expected) => {
    const parsed = parseClientQuery(query);
    expect(parsed.options).toEqual({});
    expect(parsed.warnings).toHaveLength(1);
    expect(parsed.warnings[0]).toContain(`?${name}=`);
    expect(parsed.warnings[0]).toContain(expected);
  });

  it('accepts what the client accepts: 0 ms for the backoff, fractions of a millisecond', () => {
    const parsed = parseClientQuery('reconnectInterval=0&pongTimeout=12.5');
    expect(parsed).toEqual({ options: { reconnectInterval: 0, pongTimeout: 12.5 }, warnings: [] });
  });

  it('keeps the valid options next to an invalid one', () => {
    const parsed = parseClientQuery('jitter=x&reconnectInterval=500');
    expect(parsed.options).toEqual({ reconnectInterval: 500 });
    expect(parsed.warnings).toHaveLength(1);
  });

  it('ignores parameters it does not know', () => {
    expect(parseClientQuery('utm_source=mail&view=compact')).toEqual({ options: {}, warnings: [] });
  });
});

describe('withoutTokens', () => {
  it('drops the token parameters and keeps the rest', () => {
    expect(withoutTokens('?token=a&jitter=0&adminToken=b')).toBe('?jitter=0');
  });

  it('gives an empty query when only tokens were there', () => {
    expect(withoutTokens('?token=a')).toBe('');
  });
});
