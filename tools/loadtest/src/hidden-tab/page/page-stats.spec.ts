import { describe, expect, it } from '@jest/globals';
import { pageSettings } from './page-stats.js';

describe('pageSettings', () => {
  it('reads the server, token and topic from the query', () => {
    expect(pageSettings('?url=ws%3A%2F%2F127.0.0.1%3A3000%2Fws&token=t&topic=bench')).toEqual({ url: 'ws://127.0.0.1:3000/ws', token: 't', topic: 'bench' });
  });

  it('leaves the token out when the page has none (Socket.IO)', () => {
    expect(pageSettings('?url=http%3A%2F%2F127.0.0.1%3A3001&topic=bench').token).toBeUndefined();
  });

  it('names a missing parameter', () => {
    expect(() => pageSettings('?url=http%3A%2F%2F127.0.0.1%3A3001')).toThrow('no topic parameter');
  });
});
