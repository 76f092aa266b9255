import { DEFAULT_OUTBOX_LIMITS, MAX_MESSAGES_IN_FLIGHT, Outbox, utf8Length } from './outbox.js';
import { HeartbeatSendError } from './heartbeat-send-error.js';

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

/** A socket stand-in: records what was written, refuses once `open` turns false. */
function writer() {
  const written: string[] = [];
  let open = true;
  return {
    written,
    write: (text: string) => {
      if (!open) return false;
      written.push(text);
      return true;
    },
    close: () => (open = false),
    closeAfter: (count: number) => {
      let left = count;
      return (text: string) => {
        if (left-- <= 0) return false;
        written.push(text);
        return true;
      };
    },
  };
}

describe('Outbox', () => {
  describe('#add', () => {
    it('keeps a message pending until its ack, counting it and its bytes', async () => {
      const outbox = new Outbox();
      const acked = outbox.add('m-1', '{"a":"é"}');

      await expect(stateOf(acked)).resolves.toBe('pending');
      expect(outbox.size).toBe(1);
      expect(outbox.bytes).toBe(10);
      expect(outbox.waiting).toBe(1);
    });

    it('has defaults of 1000 messages and 1 MiB', () => {
      expect(DEFAULT_OUTBOX_LIMITS).toEqual({ maxMessages: 1000, maxBytes: 1_048_576 });
    });

    it('refuses the message over maxMessages with outbox-full, keeping the others', async () => {
      const outbox = new Outbox({ maxMessages: 2, maxBytes: 1000 });
      const first = outbox.add('m-1', 'a');
      outbox.add('m-2', 'b').catch(() => undefined);

      const third = outbox.add('m-3', 'c');

      await expect(third).rejects.toThrow(
        "Cannot send: 2 messages are already waiting for the server's acknowledgement (withOutbox's maxMessages = 2); wait for earlier sends to resolve, or raise maxMessages.",
      );
      await expect(third).rejects.toMatchObject({ name: 'HeartbeatSendError', code: 'outbox-full' });
      expect(outbox.size).toBe(2);
      await expect(stateOf(first)).resolves.toBe('pending');
    });

    it('accepts exactly maxMessages, and one more once an ack freed a place', async () => {
      const outbox = new Outbox({ maxMessages: 2, maxBytes: 1000 });
      outbox.add('m-1', 'a');
      outbox.add('m-2', 'b');
      outbox.ack('m-1');

      await expect(stateOf(outbox.add('m-3', 'c'))).resolves.toBe('pending');
      expect(outbox.size).toBe(2);
    });

    it('refuses a message that would take the outbox over maxBytes, saying how many bytes wait', async () => {
      const outbox = new Outbox({ maxMessages: 10, maxBytes: 10 });
      outbox.add('m-1', '123456');

      const refused = outbox.add('m-2', '12345');

      await expect(refused).rejects.toThrow(
        "Cannot send: the 5-byte message does not fit next to the 6 bytes already waiting for the server's acknowledgement (withOutbox's maxBytes = 10); wait for earlier sends to resolve, or raise maxBytes.",
      );
      await expect(refused).rejects.toMatchObject({ code: 'outbox-full' });
      expect(outbox.bytes).toBe(6);
    });

    it('accepts a message that fills maxBytes exactly', async () => {
      const outbox = new Outbox({ maxMessages: 10, maxBytes: 10 });
      outbox.add('m-1', '123456');

      await expect(stateOf(outbox.add('m-2', '1234'))).resolves.toBe('pending');
      expect(outbox.bytes).toBe(10);
    });

    it('refuses a single message larger than maxBytes with too-large, even when the outbox is empty', async () => {
      const outbox = new Outbox({ maxMessages: 10, maxBytes: 4 });

      const refused = outbox.add('m-1', '12345');

      await expect(refused).rejects.toBeInstanceOf(HeartbeatSendError);
      await expect(refused).rejects.toMatchObject({ code: 'too-large' });
      await expect(refused).rejects.toThrow("the message is 5 bytes, more than the whole outbox may hold (withOutbox's maxBytes = 4)");
      expect(outbox.size).toBe(0);
    });
  });

  describe('#flush', () => {
    it(`keeps at most ${MAX_MESSAGES_IN_FLIGHT} messages in flight and writes more as acks arrive`, () => {
      const outbox = new Outbox();
      const socket = writer();
      for (let i = 0; i < MAX_MESSAGES_IN_FLIGHT + 10; i++) void outbox.add(`m-${i}`, `m-${i}`);

      expect(outbox.flush(socket.write)).toBe(MAX_MESSAGES_IN_FLIGHT);
      expect(outbox.flush(socket.write)).toBe(0);
      outbox.ack('m-0');
      outbox.ack('m-1');
      expect(outbox.flush(socket.write)).toBe(2);
      expect(socket.written.slice(-2)).toEqual([`m-${MAX_MESSAGES_IN_FLIGHT}`, `m-${MAX_MESSAGES_IN_FLIGHT + 1}`]);
    });

    it('writes the waiting messages in send order and marks them in flight', () => {
      const outbox = new Outbox();
      const socket = writer();
      for (const id of ['m-1', 'm-2', 'm-3']) void outbox.add(id, id);

      expect(outbox.flush(socket.write)).toBe(3);
      expect(socket.written).toEqual(['m-1', 'm-2', 'm-3']);
      expect(outbox.waiting).toBe(0);
      expect(outbox.size).toBe(3);
    });

    it('does not write a message in flight again', () => {
      const outbox = new Outbox();
      const socket = writer();
      void outbox.add('m-1', 'one');
      outbox.flush(socket.write);
      void outbox.add('m-2', 'two');

      expect(outbox.flush(socket.write)).toBe(1);
      expect(socket.written).toEqual(['one', 'two']);
    });

    it('stops at the first message the socket refuses and keeps it and the later ones waiting', () => {
      const outbox = new Outbox();
      const socket = writer();
      for (const id of ['m-1', 'm-2', 'm-3']) void outbox.add(id, id);

      expect(outbox.flush(socket.closeAfter(1))).toBe(1);
      expect(outbox.waiting).toBe(2);
      expect(outbox.flush(socket.write)).toBe(2);
      expect(socket.written).toEqual(['m-1', 'm-2', 'm-3']);
    });
  });

  describe('#ack', () => {
    it('resolves that message only, and frees its place and bytes', async () => {
      const outbox = new Outbox();
      const first = outbox.add('m-1', 'aa');
      const second = outbox.add('m-2', 'bbb');

      expect(outbox.ack('m-1')).toBe(true);

      await expect(first).resolves.toBeUndefined();
      await expect(stateOf(second)).resolves.toBe('pending');
      expect(outbox.size).toBe(1);
      expect(outbox.bytes).toBe(3);
    });

    it('ignores an unknown id and a repeated ack', async () => {
      const outbox = new Outbox();
      const sent = outbox.add('m-1', 'a');
      outbox.ack('m-1');

      expect(outbox.ack('m-1')).toBe(false);
      expect(outbox.ack('m-9')).toBe(false);
      await expect(sent).resolves.toBeUndefined();
    });
  });

  describe('#fail', () => {
    it('rejects that message with the error given', async () => {
      const outbox = new Outbox();
      const sent = outbox.add('m-1', 'a');

      expect(outbox.fail('m-1', new Error('refused'))).toBe(true);

      await expect(sent).rejects.toThrow('refused');
      expect(outbox.fail('m-1', new Error('again'))).toBe(false);
      expect(outbox.size).toBe(0);
    });
  });

  describe('#requeue', () => {
    it('puts the messages in flight back in front of those that never left, in send order', () => {
      const outbox = new Outbox();
      const first = writer();
      void outbox.add('m-1', 'one');
      void outbox.add('m-2', 'two');
      outbox.flush(first.write);
      void outbox.add('m-3', 'three');
      outbox.ack('m-1');

      expect(outbox.requeue()).toBe(1);

      const second = writer();
      outbox.flush(second.write);
      expect(second.written).toEqual(['two', 'three']);
    });

    it('keeps the promises pending: the same message is acknowledged on the next connection', async () => {
      const outbox = new Outbox();
      const sent = outbox.add('m-1', 'one');
      outbox.flush(writer().write);
      outbox.requeue();

      await expect(stateOf(sent)).resolves.toBe('pending');
      outbox.ack('m-1');
      await expect(sent).resolves.toBeUndefined();
    });
  });

  describe('#rejectAll', () => {
    it('rejects every message, waiting or in flight, and empties the outbox', async () => {
      const outbox = new Outbox();
      const inFlight = outbox.add('m-1', 'one');
      outbox.flush(writer().write);
      const waiting = outbox.add('m-2', 'two');

      outbox.rejectAll(new Error('gone'));

      await expect(inFlight).rejects.toThrow('gone');
      await expect(waiting).rejects.toThrow('gone');
      expect([outbox.size, outbox.bytes, outbox.waiting]).toEqual([0, 0, 0]);
    });
  });
});

describe('utf8Length', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 2],
    ['€', 3],
    ['😀', 4],
    ['a😀é', 7],
    ['\ud800', 3],
  ])('counts %j as %i bytes, as TextEncoder does', (text, bytes) => {
    expect(utf8Length(text)).toBe(bytes);
    expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
  });
});
