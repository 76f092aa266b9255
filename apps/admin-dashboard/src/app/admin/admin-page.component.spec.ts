import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { FakeHeartbeatClient, provideHeartbeatTesting } from '@heartbeat/angular/testing';
import type { ConnectionDetails, HeartbeatStats } from '@heartbeat/protocol';
import { CREDENTIALS_STORAGE, storeCredentials } from '../settings/dashboard-credentials';
import { AdminPageComponent } from './admin-page.component';
import { CONNECTIONS_URL, ClusterStats, STATS_POLL_INTERVAL, STATS_URL } from './cluster-stats.service';

function connection(id: string, session: string, rtt: number | null): ConnectionDetails {
  return {
    id,
    session_id: session,
    state: 'open',
    remote_address: '127.0.0.1:50000',
    connected_at: '2026-01-01T12:00:00.000Z',
    ping_count: 12,
    pong_count: 11,
    client_ping_count: 3,
    missed_pings: 1,
    last_ping_time: null,
    last_pong_time: null,
    last_seen_time: 0,
    rtt_ms: rtt,
    avg_rtt_ms: rtt,
    clock_offset_ms: null,
    topics: ['alerts'],
    buffered_bytes: 2048,
  };
}

const STATS: HeartbeatStats = {
  heartbeat_stats: {
    total_pings_sent: 1234,
    total_pongs_received: 1200,
    total_client_pings: 40,
    timeout_disconnections: 2,
    active_connections: 2,
    last_cleanup_time: null,
  },
  connection_details: [connection('c-own', 'session-own', 3), connection('c-other', 'session-other', 12.5)],
};

/** Lets the promises of a poll run (token lookup before the request, the answer after it) and the view update. */
async function settle(fixture: ComponentFixture<unknown>): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve));
  await fixture.whenStable();
}

describe('AdminPageComponent', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<AdminPageComponent>;

  beforeEach(async () => {
    const storage = window.sessionStorage;
    storage.clear();
    storeCredentials(storage, { adminToken: 'admin-secret' });
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: CREDENTIALS_STORAGE, useValue: storage },
        // One poll at the start; the tests trigger the others.
        { provide: STATS_POLL_INTERVAL, useValue: 3_600_000 },
        provideHeartbeatTesting(new FakeHeartbeatClient(undefined, { status: 'connected', phase: 'connected', sessionId: 'session-own' })),
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AdminPageComponent);
    await settle(fixture);
    const request = http.expectOne(STATS_URL);
    expect(request.request.headers.get('Authorization')).toBe('Bearer admin-secret');
    request.flush(STATS);
    await settle(fixture);
  });

  afterEach(() => {
    fixture.destroy();
    http.verify();
  });

  it('shows the totals and a row per connection, this browser marked', () => {
    const page = fixture.nativeElement as HTMLElement;
    expect(page.querySelector('[data-testid="stat-pings-sent"]')?.textContent).toBe('1,234');
    const rows = [...page.querySelectorAll('[data-testid="connection-row"]')];
    expect(rows.map((row) => row.getAttribute('data-connection-id'))).toEqual(['c-own', 'c-other']);
    expect(rows[0].getAttribute('data-own')).toBe('true');
    expect(rows[1].getAttribute('data-own')).toBeNull();
    expect(rows[1].querySelector('[data-testid="connection-rtt"]')?.getAttribute('data-rtt-ms')).toBe('12.5');
    expect(rows[1].textContent).toContain('2.0 KiB');
    expect(rows[1].textContent).toContain('12 / 11');
  });

  it('lists no nodes for a single server', () => {
    expect((fixture.nativeElement as HTMLElement).querySelector('[data-testid="nodes-table"]')).toBeNull();
  });

  it('lists the nodes of a cluster, stale ones marked, and the node of each connection', async () => {
    const totals = STATS.heartbeat_stats;
    const clustered: HeartbeatStats = {
      ...STATS,
      connection_details: [{ ...connection('c-own', 'session-own', 3), node_id: 'node-a' }],
      nodes: [
        { node_id: 'node-a', stale: false, reported_at: Date.parse('2026-01-01T12:00:00Z'), heartbeat_stats: totals },
        { node_id: 'node-b', stale: true, reported_at: Date.parse('2026-01-01T11:59:00Z'), heartbeat_stats: { ...totals, active_connections: 7 } },
      ],
    };
    void TestBed.inject(ClusterStats).refresh();
    await settle(fixture);
    http.expectOne(STATS_URL).flush(clustered);
    await settle(fixture);

    const page = fixture.nativeElement as HTMLElement;
    const rows = [...page.querySelectorAll('[data-testid="node-row"]')];
    expect(rows.map((row) => [row.getAttribute('data-node-id'), row.querySelector('[data-testid="node-status"]')?.textContent?.trim()])).toEqual([
      ['node-a', 'live'],
      ['node-b', 'stale: no recent report, not counted'],
    ]);
    expect(rows[1].textContent).toContain('7');
    expect(page.querySelector('[data-testid="connection-node"]')?.textContent).toBe('node-a');
  });

  it('draws the RTT and connection charts from the polls', () => {
    const page = fixture.nativeElement as HTMLElement;
    expect(page.querySelector('[data-testid="chart-rtt"] [data-testid="chart-latest"]')?.textContent).toBe('7.8 ms');
    expect(page.querySelector('[data-testid="chart-connections"] [data-testid="chart-latest"]')?.textContent).toBe('2');
  });

  it('kicks a connection with DELETE and polls again', async () => {
    const page = fixture.nativeElement as HTMLElement;
    page.querySelector<HTMLButtonElement>('[data-connection-id="c-other"] [data-testid="kick-connection"]')?.click();
    await settle(fixture);
    const kick = http.expectOne(`${CONNECTIONS_URL}/c-other`);
    expect(kick.request.method).toBe('DELETE');
    kick.flush(null, { status: 204, statusText: 'No Content' });
    await settle(fixture);
    http.expectOne(STATS_URL).flush({ ...STATS, connection_details: [STATS.connection_details[0]] });
    await settle(fixture);
    expect(page.querySelectorAll('[data-testid="connection-row"]')).toHaveLength(1);
  });

  it("asks for the admin token when the server refuses it, with the server's message", async () => {
    void TestBed.inject(ClusterStats).refresh();
    await settle(fixture);
    http.expectOne(STATS_URL).flush({ message: 'The admin token is wrong: use the ADMIN_TOKEN the server was started with.' }, { status: 401, statusText: 'Unauthorized' });
    await settle(fixture);
    const page = fixture.nativeElement as HTMLElement;
    expect(page.querySelector('[data-testid="sign-in"]')?.textContent).toContain('The admin token is wrong');
  });
});
