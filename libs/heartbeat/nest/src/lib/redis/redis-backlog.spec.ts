import { describe, expect, it } from '@jest/globals';
import { RedisBacklog } from './redis-backlog.js';

/** A write that waits until the test answers it. */
function pendingWrite(): { write: () => Promise<string>; answer: (value: string) => void; fail: (error: Error) => void } {
  let answer: (value: string) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const promise = new Promise<string>((resolve, reject) => {
    answer = resolve;
    fail = reject;
  });
  return { write: () => promise, answer, fail };
}

describe('RedisBacklog', () => {
  describe('#run', () => {
    it('sends writes while fewer than limit wait, and refuses one beyond with its sentence, without sending it', async () => {
      const backlog = new RedisBacklog(2, (limit) => `${limit} writes already wait`);
      const [first, second] = [pendingWrite(), pendingWrite()];
      const answers = [backlog.run(first.write), backlog.run(second.write)];
      let sent = false;
      await expect(
        backlog.run(async () => {
          sent = true;
          return 'third';
        }),
      ).rejects.toThrow('2 writes already wait');
      expect([sent, backlog.pending]).toEqual([false, 2]);
      first.answer('one');
      second.answer('two');
      await expect(Promise.all(answers)).resolves.toEqual(['one', 'two']);
      expect(backlog.pending).toBe(0);
    });

    it('frees the place of a write that failed, passing its error on', async () => {
      const backlog = new RedisBacklog(1, () => 'full');
      const write = pendingWrite();
      const answer = backlog.run(write.write);
      write.fail(new Error('READONLY'));
      await expect(answer).rejects.toThrow('READONLY');
      expect(backlog.pending).toBe(0);
      await expect(backlog.run(async () => 'again')).resolves.toBe('again');
    });
  });
});
