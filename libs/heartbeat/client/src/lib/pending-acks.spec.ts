import { PendingAcks } from './pending-acks.js';

/** Settles within the current microtask queue: 'resolved', 'rejected: message' or 'pending'. */
async function stateOf(promise: Promise<void>): Promise<string> {
  const pending = Symbol('pending');
  const outcome = await Promise.race([
    promise.then(
      () => 'resolved',
      (error: Error) => `rejected: ${error.message}`,
    ),
    Promise.resolve(pending),
  ]);
  return outcome === pending ? 'pending' : (outcome as string);
}

describe('PendingAcks', () => {
  describe('#expect', () => {
    it('returns a promise that stays pending until its ack', async () => {
      const acks = new PendingAcks();

      await expect(stateOf(acks.expect('m-1'))).resolves.toBe('pending');
    });
  });

  describe('#resolve', () => {
    it('resolves the promise of that id only', async () => {
      const acks = new PendingAcks();
      const first = acks.expect('m-1');
      const second = acks.expect('m-2');

      acks.resolve('m-1');

      await expect(first).resolves.toBeUndefined();
      await expect(stateOf(second)).resolves.toBe('pending');
    });

    it('ignores an unknown id and a repeated ack', async () => {
      const acks = new PendingAcks();
      const sent = acks.expect('m-1');

      acks.resolve('m-9');
      expect(await stateOf(sent)).toBe('pending');
      acks.resolve('m-1');
      acks.resolve('m-1');

      await expect(sent).resolves.toBeUndefined();
    });

    it('forgets the id: a later reject does not change the outcome', async () => {
      const acks = new PendingAcks();
      const sent = acks.expect('m-1');

      acks.resolve('m-1');
      acks.reject('m-1', new Error('too late'));
      acks.rejectAll(new Error('too late'));

      await expect(sent).resolves.toBeUndefined();
    });
  });

  describe('#reject', () => {
    it('rejects the promise of that id with the error given', async () => {
      const acks = new PendingAcks();
      const sent = acks.expect('m-1');
      const other = acks.expect('m-2');
      const error = new Error('server refused');

      acks.reject('m-1', error);

      await expect(sent).rejects.toBe(error);
      await expect(stateOf(other)).resolves.toBe('pending');
    });

    it('ignores an unknown id', () => {
      const acks = new PendingAcks();

      expect(() => acks.reject('nope', new Error('x'))).not.toThrow();
    });
  });

  describe('#rejectAll', () => {
    it('rejects every pending promise with the error', async () => {
      const acks = new PendingAcks();
      const sent = ['m-1', 'm-2', 'm-3'].map((id) => acks.expect(id));
      const lost = new Error('connection lost');

      acks.rejectAll(lost);

      await expect(Promise.allSettled(sent)).resolves.toEqual([
        { status: 'rejected', reason: lost },
        { status: 'rejected', reason: lost },
        { status: 'rejected', reason: lost },
      ]);
    });

    it('empties the set: acks arriving afterwards are ignored', async () => {
      const acks = new PendingAcks();
      const sent = acks.expect('m-1');

      acks.rejectAll(new Error('connection lost'));
      acks.resolve('m-1');

      await expect(sent).rejects.toThrow('connection lost');
    });

    it('leaves messages sent afterwards unaffected', async () => {
      const acks = new PendingAcks();
      acks.expect('m-1').catch(() => undefined);
      acks.rejectAll(new Error('connection lost'));

      const next = acks.expect('m-2');
      acks.rejectAll(new Error('second loss'));

      await expect(next).rejects.toThrow('second loss');
    });

    it('does nothing when nothing is pending', () => {
      expect(() => new PendingAcks().rejectAll(new Error('x'))).not.toThrow();
    });
  });
});
