import { RecentIds } from './recent-ids.js';

describe('RecentIds', () => {
  describe('#add', () => {
    it('accepts a new id and reports a repeated one as a duplicate', () => {
      const ids = new RecentIds(3);
      expect(ids.add('a')).toBe(true);
      expect(ids.add('b')).toBe(true);
      expect(ids.add('a')).toBe(false);
      expect(ids.size).toBe(2);
    });

    it('forgets the oldest id once the window is full', () => {
      const ids = new RecentIds(3);
      for (const id of ['a', 'b', 'c', 'd']) ids.add(id);
      expect(ids.size).toBe(3);
      expect(ids.has('a')).toBe(false);
      expect(['b', 'c', 'd'].every((id) => ids.has(id))).toBe(true);
      expect(ids.add('a')).toBe(true);
      expect(ids.has('b')).toBe(false);
    });

    it('does not refresh the age of a duplicate: the window is by first sight', () => {
      const ids = new RecentIds(2);
      ids.add('a');
      ids.add('b');
      expect(ids.add('a')).toBe(false);
      ids.add('c');
      expect(ids.has('a')).toBe(false);
      expect(ids.has('b')).toBe(true);
    });

    it('remembers nothing with capacity 0', () => {
      const ids = new RecentIds(0);
      expect(ids.add('a')).toBe(true);
      expect(ids.add('a')).toBe(true);
      expect(ids.size).toBe(0);
    });
  });
});
