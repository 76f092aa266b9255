import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PageServer } from './page-server.js';

describe('PageServer', () => {
  let server: PageServer;

  beforeAll(async () => {
    server = await PageServer.start([{ kind: 'heartbeat', code: 'window.ready = true;' }]);
  });

  afterAll(() => server.close());

  const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);

  describe('#url', () => {
    it("puts each tab kind on a host of its own, with the page's settings in the query", () => {
      expect(server.url('heartbeat', { url: 'ws://127.0.0.1:1/ws', topic: 'bench' })).toBe(`http://heartbeat.localhost:${server.port}/heartbeat?url=ws%3A%2F%2F127.0.0.1%3A1%2Fws&topic=bench`);
    });

    it('gives the empty page without a query', () => {
      expect(server.url('empty')).toBe(`http://empty.localhost:${server.port}/empty`);
    });
  });

  describe('serving', () => {
    it("serves a client's page with its bundle as a module script", async () => {
      const response = await get('/heartbeat?topic=bench');
      expect(await response.text()).toContain('<script type="module" src="/heartbeat.js"></script>');
      expect((await get('/heartbeat.js').then((script) => script.text()))).toBe('window.ready = true;');
    });

    it('serves the empty page without a script', async () => {
      expect(await get('/empty').then((response) => response.text())).not.toContain('<script');
    });

    it('answers 404 for anything else', async () => {
      expect([(await get('/socketio')).status, (await get('/other.js')).status]).toEqual([404, 404]);
    });
  });
});
