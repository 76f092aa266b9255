import { HeartbeatSession } from './heartbeat-session.js';

describe('HeartbeatSession', () => {
  describe('#rememberMessage', () => {
    it('is true for a new id and false for one already seen within the window', () => {
      const session = new HeartbeatSession('s-1', 2);
      expect(session.rememberMessage('a')).toBe(true);
      expect(session.rememberMessage('b')).toBe(true);
      expect(session.rememberMessage('a')).toBe(false);
    });

    it('forgets the oldest id once the window is full', () => {
      const session = new HeartbeatSession('s-1', 2);
      for (const id of ['a', 'b', 'c']) session.rememberMessage(id);
      expect(session.rememberMessage('a')).toBe(true);
      expect(session.rememberMessage('c')).toBe(false);
    });

    it('remembers nothing with a window of 0', () => {
      const session = new HeartbeatSession('s-1', 0);
      expect(session.rememberMessage('a')).toBe(true);
      expect(session.rememberMessage('a')).toBe(true);
    });
  });
});
