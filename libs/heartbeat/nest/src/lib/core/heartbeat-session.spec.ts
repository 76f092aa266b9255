import { HeartbeatSession } from './heartbeat-session.js';

describe('HeartbeatSession', () => {
  describe('#rememberMessage', () => {
    it('is true for a new id and false for one already seen within the window', () => {
      const session = new HeartbeatSession('s-1', undefined);
      expect(session.rememberMessage('a', 2)).toBe(true);
      expect(session.rememberMessage('b', 2)).toBe(true);
      expect(session.rememberMessage('a', 2)).toBe(false);
    });

    it('forgets the oldest id once the window is full', () => {
      const session = new HeartbeatSession('s-1', undefined);
      for (const id of ['a', 'b', 'c']) session.rememberMessage(id, 2);
      expect(session.rememberMessage('a', 2)).toBe(true);
      expect(session.rememberMessage('c', 2)).toBe(false);
    });

    it('remembers nothing with a window of 0', () => {
      const session = new HeartbeatSession('s-1', undefined);
      expect(session.rememberMessage('a', 0)).toBe(true);
      expect(session.rememberMessage('a', 0)).toBe(true);
    });
  });
});
