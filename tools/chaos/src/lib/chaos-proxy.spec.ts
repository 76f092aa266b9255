import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { once } from 'node:events';
import { ChaosProxy } from './chaos-proxy.js';

/** A client socket through the proxy, with what it received and how it ended. */
async function dial(port: number): Promise<{ socket: Socket; ended: Promise<string> }> {
  const socket = connect({ port, host: '127.0.0.1' });
  let received = '';
  socket.on('data', (data) => (received += data.toString()));
  socket.on('error', () => undefined);
  // Not once(): it would reject on the ECONNRESET that a reset connection reports before closing.
  const ended = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  await once(socket, 'connect');
  return { socket, ended };
}

describe('ChaosProxy', () => {
  let backend: Server;
  let proxy: ChaosProxy;

  beforeEach(async () => {
    // An echo server: the backend behind the proxy.
    backend = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
    backend.listen(0, '127.0.0.1');
    await once(backend, 'listening');
    proxy = await ChaosProxy.start((backend.address() as AddressInfo).port, ['127.0.0.1']);
  });

  afterEach(async () => {
    await proxy.close();
    backend.close();
  });

  describe('#backendDown', () => {
    it('resets the open connections, then accepts new ones and closes them at once', async () => {
      const open = await dial(proxy.port);
      open.socket.write('ping');
      await once(open.socket, 'data');

      proxy.backendDown();
      expect(await open.ended).toBe('ping');
      const refused = await dial(proxy.port);
      refused.socket.write('anyone?');
      expect(await refused.ended).toBe('');
      expect(proxy.stats).toMatchObject({ accepted: 2, rst: 1, closedAtOnce: 1 });
    });

    it('is safe twice', async () => {
      proxy.backendDown();
      proxy.backendDown();
      expect(await (await dial(proxy.port)).ended).toBe('');
      expect(proxy.stats.closedAtOnce).toBe(1);
    });
  });

  describe('#backendUp', () => {
    it('forwards new connections again', async () => {
      proxy.backendDown();
      proxy.backendUp();
      const client = await dial(proxy.port);
      client.socket.write('back');
      expect((await once(client.socket, 'data')).toString()).toBe('back');
      client.socket.end();
      expect(await client.ended).toBe('back');
    });
  });
});
