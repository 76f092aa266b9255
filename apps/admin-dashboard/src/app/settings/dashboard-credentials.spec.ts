import { TestBed } from '@angular/core/testing';
import { CREDENTIALS_STORAGE, DashboardCredentials, storeCredentials } from './dashboard-credentials';

/** A Storage over a Map, as sessionStorage behaves. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

function serverAnswers(...configs: object[]): jest.Mock {
  const fetchMock = jest.fn();
  for (const config of configs) fetchMock.mockResolvedValueOnce({ ok: true, status: 200, json: async () => config });
  globalThis.fetch = fetchMock;
  return fetchMock;
}

describe('DashboardCredentials', () => {
  const originalFetch = globalThis.fetch;
  let storage: Storage;

  function credentials(): DashboardCredentials {
    TestBed.configureTestingModule({ providers: [{ provide: CREDENTIALS_STORAGE, useValue: storage }] });
    return TestBed.inject(DashboardCredentials);
  }

  beforeEach(() => {
    storage = memoryStorage();
  });

  afterEach(() => {
    globalThis.fetch = originalFetch;
  });

  describe('#clientTokenForAttempt', () => {
    it("uses the operator's token without asking the server", async () => {
      storeCredentials(storage, { clientToken: 'mine' });
      const fetchMock = serverAnswers();
      expect(await credentials().clientTokenForAttempt()).toBe('mine');
      expect(fetchMock).not.toHaveBeenCalled();
    });

    it("asks the server on every attempt otherwise, since a restarted demo server has a new token", async () => {
      const fetchMock = serverAnswers({ wsPath: '/ws', clientToken: 'demo-1' }, { wsPath: '/ws', clientToken: 'demo-2' });
      const subject = credentials();
      expect(await subject.clientTokenForAttempt()).toBe('demo-1');
      expect(await subject.clientTokenForAttempt()).toBe('demo-2');
      expect(fetchMock).toHaveBeenCalledTimes(2);
    });

    it('gives null when the server hands out no token', async () => {
      serverAnswers({ wsPath: '/ws' });
      expect(await credentials().clientTokenForAttempt()).toBeNull();
    });
  });

  describe('#adminTokenForRequest', () => {
    it("keeps the demo server's token until told to forget it", async () => {
      const fetchMock = serverAnswers({ wsPath: '/ws', adminToken: 'old' }, { wsPath: '/ws', adminToken: 'new' });
      const subject = credentials();
      expect(await subject.adminTokenForRequest()).toBe('old');
      expect(await subject.adminTokenForRequest()).toBe('old');
      subject.forgetDemoAdminToken();
      expect(await subject.adminTokenForRequest()).toBe('new');
      expect(fetchMock).toHaveBeenCalledTimes(2);
    });

    it('gives null when the server does not answer', async () => {
      globalThis.fetch = jest.fn().mockRejectedValue(new TypeError('Failed to fetch'));
      expect(await credentials().adminTokenForRequest()).toBeNull();
    });
  });

  describe('#save', () => {
    it('keeps the tokens in storage and prefers them from then on', async () => {
      serverAnswers();
      const subject = credentials();
      subject.save({ clientToken: 'typed', adminToken: 'typed-admin' });
      expect(subject.clientToken()).toBe('typed');
      expect(await subject.adminTokenForRequest()).toBe('typed-admin');
      expect(JSON.parse(storage.getItem('heartbeat-dashboard.credentials') ?? '')).toEqual({ clientToken: 'typed', adminToken: 'typed-admin' });
    });

    it('ignores unreadable storage', () => {
      storage.setItem('heartbeat-dashboard.credentials', '{not json');
      expect(credentials().clientToken()).toBeNull();
    });
  });
});
