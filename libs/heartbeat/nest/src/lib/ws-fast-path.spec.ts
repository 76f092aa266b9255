import { jest } from '@jest/globals';
import { EventEmitter, once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { createRequire } from 'node:module';
import { WebSocket, WebSocketServer } from 'ws';
import {
  type LoneTextFrameTaker,
  type TurnTrackingSocket,
  autoPongCallbackOnDemand,
  compactListenerRecord,
  offerLoneTextFrames,
  readPeer,
  shareNoExtensions,
  textFrame,
  writeTextFrame,
} from './ws-fast-path.js';

/** ws's Sender, which its type definitions leave out. */
const { Sender } = createRequire(import.meta.url)('ws') as {
  Sender: { frame(data: Buffer, options: { fin: boolean; mask: boolean; opcode: number; readOnly: boolean; rsv1: boolean }): Buffer[] };
};

/** What ws's own Sender puts on the wire for a final text frame of `payload`: unmasked as a server sends it, masked as a client does. */
function wsFrame(payload: Buffer, mask = false): Buffer {
  return Buffer.concat(Sender.frame(Buffer.from(payload), { fin: true, mask, opcode: 1, readOnly: false, rsv1: false }));
}

/** A server socket as writeTextFrame wants it (HeartbeatSocket is one). */
class TrackingSocket extends WebSocket implements TurnTrackingSocket {
  lastWriteTurn = 0;
}

/** A server socket that takes the lone ASCII text frames starting with "take:" and records them. */
class TakingSocket extends TrackingSocket implements LoneTextFrameTaker {
  readonly taken: string[] = [];

  takeLoneTextFrame(payload: Buffer): boolean {
    if (!payload.toString('latin1').startsWith('take:') || payload.some((byte) => byte > 0x7f)) return false;
    this.taken.push(payload.toString('latin1'));
    return true;
  }
}

/** How to close each pair a test opened (afterEach). */
const opened: (() => Promise<void>)[] = [];

/** A ws server on port 0 and a client connected to it; `peer` is the server's socket. Closed after the test. */
async function connectedPair(serverOptions: { perMessageDeflate?: boolean; WebSocket?: typeof WebSocket } = {}) {
  const server = new WebSocketServer({ port: 0, WebSocket: TrackingSocket as unknown as typeof WebSocket, ...serverOptions });
  await once(server, 'listening');
  const peerOpened = once(server, 'connection');
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, { perMessageDeflate: serverOptions.perMessageDeflate ?? false });
  const [peer] = (await peerOpened) as [TrackingSocket];
  await once(client, 'open');
  const received: string[] = [];
  client.on('message', (data: Buffer, isBinary: boolean) => received.push(`${isBinary ? 'binary' : 'text'}:${data.toString()}`));
  opened.push(async () => {
    client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });
  const peerTcp = (peer as unknown as { _socket: Socket })._socket;
  return { server, client, peer, peerTcp, received };
}

/** Lets the event loop's turn end (writeTextFrame releases what it held then). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `count` small frames (`{"n":…}`) are held on `tcp` until the turn ends, then written. */
async function expectHeldUntilTurnEnds(tcp: Socket, count: number): Promise<void> {
  expect(tcp.writableCorked).toBe(1);
  expect(tcp.writableLength).toBe(count * textFrame(Buffer.from('{"n":1}')).length);
  await nextTurn();
  expect(tcp.writableCorked).toBe(0);
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('The condition did not hold within 5 s.');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('ws-fast-path', () => {
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((close) => close()));
  });

  describe('#textFrame', () => {
    it.each([0, 1, 125, 126, 65_535, 65_536])('frames a payload of %i bytes exactly as ws does', (length) => {
      const payload = Buffer.alloc(length, 0x61);
      expect(textFrame(payload).equals(wsFrame(payload))).toBe(true);
    });

    it('encodes text straight into the frame, as ws frames its UTF-8 bytes', () => {
      for (const text of ['{"type":"welcome"}', 'é'.repeat(100), '€'.repeat(30_000)]) {
        expect(textFrame(text).equals(wsFrame(Buffer.from(text)))).toBe(true);
      }
    });

    it('frames a broadcast once: the same payload gives the same frame', () => {
      const payload = Buffer.from('{"type":"event"}');
      const frame = textFrame(payload);
      expect(textFrame(payload)).toBe(frame);
      const other = textFrame(Buffer.from('{"type":"other"}'));
      expect(other).not.toBe(frame);
      expect(other.equals(wsFrame(Buffer.from('{"type":"other"}')))).toBe(true);
    });
  });

  describe('#writeTextFrame', () => {
    it('relies on ws internals that are still there: the TCP socket, an idle sender, no extensions', async () => {
      // If this fails after a ws upgrade, ws-fast-path.ts must be updated (or reduced to send()).
      const pair = await connectedPair();
      const internals = pair.peer as unknown as { _socket: unknown; _sender: { _state: unknown; _firstFragment: unknown }; _extensions: unknown };
      expect(typeof (internals._socket as { write?: unknown }).write).toBe('function');
      expect(internals._sender._state).toBe(0);
      expect(internals._sender._firstFragment).toBe(true);
      expect(internals._extensions).toEqual({});
    });

    it('delivers text frames in order between frames sent with send()', async () => {
      const pair = await connectedPair();
      const shared = Buffer.from('{"n":2}');
      pair.peer.send('{"n":1}');
      writeTextFrame(pair.peer, shared);
      writeTextFrame(pair.peer, shared);
      writeTextFrame(pair.peer, Buffer.alloc(70_000, 0x62));
      pair.peer.send('{"n":4}');
      await until(() => pair.received.length === 5);
      expect(pair.received.map((text) => text.slice(0, 12))).toEqual(['text:{"n":1}', 'text:{"n":2}', 'text:{"n":2}', `text:${'b'.repeat(7)}`, 'text:{"n":4}']);
      expect(pair.received[3]).toHaveLength('text:'.length + 70_000);
    });

    it('writes a short ASCII text from the string itself and any other text as bytes, each exactly as ws frames it', async () => {
      const pair = await connectedPair();
      const tcpWrite = pair.peerTcp.write.bind(pair.peerTcp) as (chunk: string | Buffer, encoding?: BufferEncoding) => boolean;
      const writes: { chunk: string | Buffer; encoding: BufferEncoding | undefined }[] = [];
      jest.spyOn(pair.peerTcp, 'write').mockImplementation(((chunk: string | Buffer, encoding?: BufferEncoding) => {
        writes.push({ chunk, encoding });
        return tcpWrite(chunk, encoding);
      }) as never);
      const texts = ['{"type":"ping","sequence":1}', 'a'.repeat(125), 'a'.repeat(126), 'é', '\ud800'];
      for (const text of texts) writeTextFrame(pair.peer, text);
      expect(writes.map(({ chunk }) => typeof chunk)).toEqual(['string', 'string', 'object', 'object', 'object']);
      expect(writes.map(({ chunk, encoding }) => (typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk))).toEqual(texts.map((text) => wsFrame(Buffer.from(text))));
      await until(() => pair.received.length === texts.length);
      expect(pair.received).toEqual(texts.map((text) => `text:${Buffer.from(text).toString()}`));
    });

    it("holds a socket's very first frame with the rest of its turn (a welcome and what follows it), then writes them together", async () => {
      const pair = await connectedPair();
      const tcp = pair.peerTcp;
      for (const n of [1, 2]) writeTextFrame(pair.peer, Buffer.from(`{"n":${n}}`));
      await expectHeldUntilTurnEnds(tcp, 2);
      await until(() => pair.received.length === 2);
      expect(pair.received).toEqual(['text:{"n":1}', 'text:{"n":2}']);
    });

    it("writes a socket's first frame of a later turn at once and holds the ones after it until the turn ends, then writes them together", async () => {
      const pair = await connectedPair();
      const tcp = pair.peerTcp;
      writeTextFrame(pair.peer, Buffer.from('{"n":0}'));
      await nextTurn();
      writeTextFrame(pair.peer, Buffer.from('{"n":1}'));
      expect([tcp.writableCorked, tcp.writableLength]).toEqual([0, 0]);
      for (const n of [2, 3]) writeTextFrame(pair.peer, Buffer.from(`{"n":${n}}`));
      await expectHeldUntilTurnEnds(tcp, 2);
      await until(() => pair.received.length === 4);
      expect(pair.received).toEqual(['text:{"n":0}', 'text:{"n":1}', 'text:{"n":2}', 'text:{"n":3}']);
    });

    it.each([
      ['in a later turn', true, ['text:{"n":0}', 'text:{"n":1}']],
      ['in its first turn (a welcome held with what follows it)', false, []],
    ])('drops what it held for a socket destroyed before the turn ends, without an error: %s', async (_when, earlierTurn, delivered) => {
      const pair = await connectedPair();
      const errors: Error[] = [];
      pair.peer.on('error', (error) => errors.push(error));
      if (earlierTurn) {
        writeTextFrame(pair.peer, Buffer.from('{"n":0}'));
        await nextTurn();
      }
      writeTextFrame(pair.peer, Buffer.from('{"n":1}'));
      writeTextFrame(pair.peer, Buffer.from('{"n":2}'));
      expect(pair.peerTcp.writableCorked).toBe(1);
      const closed = once(pair.client, 'close');
      pair.peer.terminate();
      await nextTurn();
      await closed;
      expect(errors).toEqual([]);
      expect(pair.received).toEqual(delivered);
    });

    it('lets a large burst flow as it is written instead of holding it all', async () => {
      const pair = await connectedPair();
      const tcp = pair.peerTcp;
      writeTextFrame(pair.peer, Buffer.from('{"n":1}'));
      writeTextFrame(pair.peer, Buffer.alloc(70_000, 0x63));
      expect(tcp.writableCorked).toBe(0);
      await until(() => pair.received.length === 2);
    });

    it('queues behind a frame ws is still preparing instead of overtaking it', async () => {
      const pair = await connectedPair();
      // ws reads a Blob asynchronously and holds later frames in its queue meanwhile.
      pair.peer.send(new Blob(['first']));
      writeTextFrame(pair.peer, Buffer.from('second'));
      await until(() => pair.received.length === 2);
      expect(pair.received).toEqual(['binary:first', 'text:second']);
    });

    it('goes through send() on a compressed connection, whose frames ws must compress', async () => {
      const pair = await connectedPair({ perMessageDeflate: true });
      expect(pair.peer.extensions).toContain('permessage-deflate');
      const tcp = (pair.peer as unknown as { _socket: { write: (chunk: unknown) => boolean } })._socket;
      const write = jest.spyOn(tcp, 'write');
      const payload = Buffer.from('compressed');
      writeTextFrame(pair.peer, payload);
      await until(() => pair.received.length === 1);
      expect(pair.received).toEqual(['text:compressed']);
      const plain = wsFrame(payload);
      expect(write.mock.calls.some(([chunk]) => Buffer.isBuffer(chunk) && chunk.equals(plain))).toBe(false);
      expect(write).toHaveBeenCalled();
    });

    it('writes nothing on a closing socket', async () => {
      const pair = await connectedPair();
      const closed = once(pair.client, 'close');
      pair.peer.close(1000, 'bye');
      writeTextFrame(pair.peer, Buffer.from('late'));
      await closed;
      expect(pair.received).toEqual([]);
    });
  });

  describe('#offerLoneTextFrames', () => {
    /** A pair whose server socket takes "take:" frames, with what its `message` listener heard. */
    async function takingPair() {
      const pair = await connectedPair({ WebSocket: TakingSocket as unknown as typeof WebSocket });
      const peer = pair.peer as unknown as TakingSocket;
      const heard: string[] = [];
      pair.peer.on('message', (data: Buffer) => heard.push(data.toString()));
      const tcp = (pair.client as unknown as { _socket: Socket })._socket;
      return { ...pair, peer, heard, tcp };
    }

    it('relies on ws internals that are still there: one data listener of its own, an idle parser, the socket under a symbol', async () => {
      // If this fails after a ws upgrade, ws-fast-path.ts must be updated (offerLoneTextFrames then returns false: ws reads all).
      const pair = await connectedPair();
      const internals = pair.peer as unknown as { _socket: Socket; _receiver: Record<string, unknown> };
      const listeners = internals._socket.listeners('data');
      expect(listeners.map((listener) => listener.name)).toEqual(['socketOnData']);
      expect(internals._receiver).toMatchObject({ _state: 0, _bufferedBytes: 0, _fragmented: 0, _errored: false, writableLength: 0 });
      expect(typeof internals._receiver['_maxPayload']).toBe('number');
      expect(internals._receiver['_buffers']).toEqual([]);
      const holder = internals._socket as unknown as Record<symbol, unknown>;
      expect(Object.getOwnPropertySymbols(holder).some((key) => holder[key] === pair.peer)).toBe(true);
    });

    it('offers a small text frame that arrives alone to the socket first; what it does not take goes to ws', async () => {
      const pair = await takingPair();
      expect(offerLoneTextFrames(pair.peer)).toBe(true);
      pair.client.send('take:1');
      await until(() => pair.peer.taken.length === 1);
      pair.client.send('{"type":"other"}');
      await until(() => pair.heard.length === 1);
      pair.client.send('take:2');
      await until(() => pair.peer.taken.length === 2);
      expect(pair.peer.taken).toEqual(['take:1', 'take:2']);
      expect(pair.heard).toEqual(['{"type":"other"}']);
    });

    it('unmasks a lone frame of every small length exactly, the last bytes of lengths that are not a multiple of four included', async () => {
      const pair = await takingPair();
      offerLoneTextFrames(pair.peer);
      const texts = Array.from({ length: 121 }, (_, extra) => `take:${'0123456789abcdefghijklmnopqrstuvwxyz'.repeat(4).slice(0, extra)}`);
      for (const text of texts) {
        pair.client.send(text);
        // One frame at a time, so that each arrives alone in its chunk.
        await until(() => pair.peer.taken.length + pair.heard.length === texts.indexOf(text) + 1);
      }
      expect(pair.peer.taken).toEqual(texts);
    });

    it('leaves to ws a frame split over two chunks, frames that share a chunk and frames over 125 bytes, in order', async () => {
      const pair = await takingPair();
      offerLoneTextFrames(pair.peer);
      const split = wsFrame(Buffer.from('take:split'), true);
      pair.tcp.write(split.subarray(0, 4));
      await new Promise((resolve) => setTimeout(resolve, 30));
      pair.tcp.write(split.subarray(4));
      pair.tcp.write(Buffer.concat([wsFrame(Buffer.from('take:a'), true), wsFrame(Buffer.from('take:b'), true)]));
      pair.tcp.write(wsFrame(Buffer.from(`take:${'x'.repeat(130)}`), true));
      await until(() => pair.heard.length === 4);
      expect(pair.heard.map((text) => text.slice(0, 10))).toEqual(['take:split', 'take:a', 'take:b', 'take:xxxxx']);
      expect(pair.peer.taken).toEqual([]);
    });

    it("keeps ws's queue of read chunks while it holds part of a frame, and empty once each frame was read", async () => {
      const pair = await takingPair();
      offerLoneTextFrames(pair.peer);
      const chunks = (pair.peer as unknown as { _receiver: { _buffers: Buffer[] } })._receiver._buffers;
      const frame = wsFrame(Buffer.from(`take:${'y'.repeat(200)}`), true);
      pair.tcp.write(frame.subarray(0, 100));
      await until(() => chunks.length === 1);
      pair.tcp.write(frame.subarray(100));
      await until(() => pair.heard.length === 1);
      expect(pair.heard[0]).toBe(`take:${'y'.repeat(200)}`);
      expect(chunks).toHaveLength(0);
    });

    it('lets ws refuse what it refuses: a text frame that is not UTF-8 closes the connection with 1007', async () => {
      const pair = await takingPair();
      offerLoneTextFrames(pair.peer);
      const refused = once(pair.peer, 'error');
      const closed = once(pair.client, 'close');
      pair.tcp.write(wsFrame(Buffer.from([0x74, 0x61, 0x6b, 0x65, 0x3a, 0xff]), true));
      const [code] = (await closed) as [number];
      expect(code).toBe(1007);
      expect(((await refused) as [Error & { code: string }])[0].code).toBe('WS_ERR_INVALID_UTF8');
      expect(pair.peer.taken).toEqual([]);
    });

    it('does nothing on a socket that is not as it expects', async () => {
      const pair = await takingPair();
      const tcp = pair.peerTcp;
      tcp.on('data', () => undefined);
      expect(offerLoneTextFrames(pair.peer)).toBe(false);
      pair.client.send('take:1');
      await until(() => pair.heard.length === 1);
      expect(pair.peer.taken).toEqual([]);
    });
  });
  describe('#readPeer', () => {
    const cacheOf = (tcp: Socket) => (tcp as unknown as { _peername?: unknown })._peername;
    /** The client's address as the dual-stack server sees it. */
    const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$/;

    it('relies on Node internals that are still there: the TCP socket caches what it read in _peername', async () => {
      // If this fails after a Node upgrade, readPeer must be updated (or stop dropping the copy).
      const { peerTcp } = await connectedPair();
      expect(cacheOf(peerTcp) ?? null).toBeNull();
      const address = peerTcp.remoteAddress;
      expect(address).toMatch(LOOPBACK);
      expect(cacheOf(peerTcp)).toEqual(expect.objectContaining({ address, port: peerTcp.remotePort }));
    });

    it("reads the peer's address and port and leaves no copy of them on the TCP socket", async () => {
      const { client, peer, peerTcp } = await connectedPair();
      const clientPort = (client as unknown as { _socket: Socket })._socket.localPort;
      expect(readPeer(peer)).toEqual({ address: expect.stringMatching(LOOPBACK), port: clientPort });
      expect(cacheOf(peerTcp)).toBeNull();
    });

    it('leaves a copy that was read before alone', async () => {
      const { peer, peerTcp } = await connectedPair();
      void peerTcp.remoteAddress;
      const cached = cacheOf(peerTcp);
      expect(readPeer(peer).address).toMatch(LOOPBACK);
      expect(cacheOf(peerTcp)).toBe(cached);
    });

    it('gives undefined once the TCP socket is gone', async () => {
      const { peer, peerTcp } = await connectedPair();
      peer.terminate();
      await once(peerTcp, 'close');
      expect(readPeer(peer)).toEqual({ address: undefined, port: undefined });
    });
  });
  describe('#autoPongCallbackOnDemand', () => {
    /** A server socket whose automatic pongs get their callback on demand. */
    class OnDemandSocket extends TrackingSocket {
      static {
        autoPongCallbackOnDemand(this);
      }
    }
    type AutoPongInternals = { _autoPongComplete?: unknown; _pendingAutoPongs: number };

    it("relies on ws internals that are still there: a closure of each socket's own counts its automatic pongs down", async () => {
      // If this fails after a ws upgrade, autoPongCallbackOnDemand must be updated (or not used).
      const { peer } = await connectedPair();
      const internals = peer as unknown as AutoPongInternals;
      expect(Object.hasOwn(peer, '_autoPongComplete')).toBe(true);
      expect(internals._pendingAutoPongs).toBe(0);
      internals._pendingAutoPongs = 2;
      (internals._autoPongComplete as () => void)();
      expect(internals._pendingAutoPongs).toBe(1);
    });

    it("keeps no closure on the socket and still answers the peer's pings, counting the pongs down once written", async () => {
      const { client, peer } = await connectedPair({ WebSocket: OnDemandSocket as unknown as typeof WebSocket });
      expect(Object.hasOwn(peer, '_autoPongComplete')).toBe(false);
      const pongs: string[] = [];
      client.on('pong', (data: Buffer) => pongs.push(data.toString()));
      for (const data of ['a', 'b', 'c']) client.ping(data);
      await until(() => pongs.length === 3);
      expect(pongs).toEqual(['a', 'b', 'c']);
      await until(() => (peer as unknown as AutoPongInternals)._pendingAutoPongs === 0);
      expect(Object.hasOwn(peer, '_autoPongComplete')).toBe(false);
    });
  });
  describe('#shareNoExtensions', () => {
    type ExtensionsInternals = { _extensions: object; _sender: { _extensions: object }; _receiver: { _extensions: object } };
    const extensionsOf = (socket: WebSocket) => {
      const internals = socket as unknown as ExtensionsInternals;
      return [internals._extensions, internals._sender._extensions, internals._receiver._extensions];
    };

    it('relies on ws internals that are still there: a socket, its sender and its receiver hold one extensions object', async () => {
      // If this fails after a ws upgrade, shareNoExtensions must be updated (or not used).
      const { peer } = await connectedPair();
      const [own, sender, receiver] = extensionsOf(peer);
      expect(own).toEqual({});
      expect(sender).toBe(own);
      expect(receiver).toBe(own);
    });

    it('gives uncompressed sockets one empty object, and their frames still flow both ways', async () => {
      const first = await connectedPair();
      const second = await connectedPair();
      expect([shareNoExtensions(first.peer), shareNoExtensions(second.peer)]).toEqual([true, true]);
      const shared = extensionsOf(first.peer)[0];
      expect([...extensionsOf(first.peer), ...extensionsOf(second.peer)].every((extensions) => extensions === shared)).toBe(true);
      const heard: string[] = [];
      first.peer.on('message', (data: Buffer) => heard.push(data.toString()));
      first.client.send('up');
      first.peer.send('down');
      await until(() => heard.length === 1 && first.received.length === 1);
      expect([heard, first.received]).toEqual([['up'], ['text:down']]);
    });

    it('leaves a compressed socket its own extensions', async () => {
      const { peer } = await connectedPair({ perMessageDeflate: true });
      const [own] = extensionsOf(peer);
      expect(shareNoExtensions(peer)).toBe(false);
      expect(extensionsOf(peer)[0]).toBe(own);
      expect(Object.keys(own)).toEqual(['permessage-deflate']);
    });
  });
  describe('#compactListenerRecord', () => {
    const recordOf = (emitter: EventEmitter) => (emitter as unknown as { _events: object })._events;

    it("relies on Node internals that are still there: an emitter's listeners live in _events, a null-prototype object", () => {
      // If this fails after a Node upgrade, compactListenerRecord must be updated (or not used).
      const emitter = new EventEmitter();
      expect(Object.getPrototypeOf(recordOf(emitter))).toBeNull();
      emitter.on('a', () => undefined);
      expect(Object.keys(recordOf(emitter))).toEqual(['a']);
    });

    it('gives a new emitter a record that works as Node\'s: listeners added, emitted and removed, none found for an inherited name', () => {
      const emitter = new EventEmitter();
      expect(compactListenerRecord(emitter)).toBe(true);
      expect(Object.getPrototypeOf(recordOf(emitter))).not.toBeNull();
      const heard: string[] = [];
      const first = (value: string) => heard.push(`first:${value}`);
      emitter.on('a', first);
      emitter.on('a', (value: string) => heard.push(`second:${value}`));
      emitter.once('b', (value: string) => heard.push(`once:${value}`));
      expect(emitter.eventNames()).toEqual(['a', 'b']);
      expect([emitter.emit('a', 1), emitter.emit('b', 2), emitter.emit('b', 3)]).toEqual([true, true, false]);
      expect([emitter.emit('toString'), emitter.emit('hasOwnProperty'), emitter.listenerCount('constructor')]).toEqual([false, false, 0]);
      emitter.off('a', first);
      emitter.emit('a', 4);
      expect(heard).toEqual(['first:1', 'second:1', 'once:2', 'second:4']);
      emitter.removeAllListeners();
      expect([emitter.eventNames(), emitter.emit('a', 5)]).toEqual([[], false]);
    });

    it('leaves an emitter that already has listeners alone', () => {
      const emitter = new EventEmitter();
      emitter.on('a', () => undefined);
      const record = recordOf(emitter);
      expect(compactListenerRecord(emitter)).toBe(false);
      expect(recordOf(emitter)).toBe(record);
    });
  });
});
