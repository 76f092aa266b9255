import { describe, expect, it } from '@jest/globals';
import { TestCore } from '../../testing/test-core.js';
import { MessageInbox } from './message-inbox.js';

/** An inbox whose store answers each id when the test says (as Redis does, in any order). */
function inboxWithStore(server: TestCore) {
  const answers = new Map<string, { resolve: (fresh: boolean) => void; reject: (error: Error) => void }>();
  const inbox = new MessageInbox({ rememberMessage: (_session, id) => new Promise((resolve, reject) => answers.set(id, { resolve, reject })) }, server.counters);
  const handed: string[] = [];
  inbox.messages$.subscribe((message) => handed.push(message.id));
  return { inbox, answers, handed };
}

describe('MessageInbox (core)', () => {
  describe('#receive', () => {
    it('hands a connection’s messages over in the order they came, whatever order the store answers in', async () => {
      const server = new TestCore();
      const { connection, peer } = await server.open();
      const { inbox, answers, handed } = inboxWithStore(server);
      const received = ['m-1', 'm-2', 'm-3'].map((id) => inbox.receive(connection, { type: 'message', id, data: id }));
      answers.get('m-3')?.resolve(true);
      answers.get('m-2')?.resolve(false);
      answers.get('m-1')?.resolve(true);
      await Promise.all(received);
      expect(handed).toEqual(['m-1', 'm-3']);
      expect(peer.framesOf('ack').map((ack) => ack.id)).toEqual(['m-1', 'm-2', 'm-3']);
      expect(server.counters.duplicateMessages).toBe(1);
    });

    it('neither hands over nor acknowledges a message whose id the store could not record, and goes on with the next', async () => {
      const server = new TestCore();
      const { connection, peer } = await server.open();
      const { inbox, answers, handed } = inboxWithStore(server);
      const failed = inbox.receive(connection, { type: 'message', id: 'm-1', data: 1 });
      const next = inbox.receive(connection, { type: 'message', id: 'm-2', data: 2 });
      answers.get('m-1')?.reject(new Error('Redis is away'));
      answers.get('m-2')?.resolve(true);
      await expect(failed).rejects.toThrow('Redis is away');
      await next;
      expect(handed).toEqual(['m-2']);
      expect(peer.framesOf('ack').map((ack) => ack.id)).toEqual(['m-2']);
    });
  });
});
