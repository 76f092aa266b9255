import { TestBed } from '@angular/core/testing';
import { FakeHeartbeatClient, provideHeartbeatTesting } from '@heartbeat/angular/testing';
import { HeartbeatRequestError } from '@heartbeat/client';
import { AlertAcknowledgements } from './alert-acknowledgements.service';
import { AlertFeed } from './alert-feed.service';
import { FeedPageComponent } from './feed-page.component';
import type { ModerationAlert } from './moderation-alert';

function alert(id: string): ModerationAlert {
  return {
    id,
    content_id: 'cnt_1234567',
    content_type: 'image',
    category: 'violence',
    risk_score: 0.93,
    action: 'block',
    model: 'safety-vision-v2',
    created_at: '2026-01-01T12:00:00.000Z',
  };
}

describe('FeedPageComponent', () => {
  let client: FakeHeartbeatClient;

  async function render(): Promise<HTMLElement> {
    const fixture = TestBed.createComponent(FeedPageComponent);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  beforeEach(() => {
    client = new FakeHeartbeatClient(undefined, { status: 'connected', phase: 'connected' });
    TestBed.configureTestingModule({ providers: [provideHeartbeatTesting(client)] });
    // As in the app, the feed listens from the start.
    TestBed.inject(AlertFeed);
    TestBed.inject(AlertAcknowledgements);
  });

  it('lists the alerts of topic "alerts" newest first, with seq and epoch', async () => {
    client.publish('alerts', alert('alt_1'));
    client.publish('alerts', alert('alt_2'));
    client.publish('other', alert('alt_x'));
    const page = await render();
    const items = [...page.querySelectorAll('[data-testid="feed-item"]')];
    expect(items.map((item) => item.getAttribute('data-seq'))).toEqual(['2', '1']);
    expect(items[0].getAttribute('data-epoch')).toBe('fake-epoch');
    expect(items[0].textContent).toContain('alt_2');
    expect(items[0].textContent).toContain('violence');
    expect(items[0].classList).toContain('action-block');
    expect(page.querySelector('[data-testid="feed-summary"]')?.textContent).toContain('2 received');
  });

  it('shows a resync marker where the client reports a gap in "alerts"', async () => {
    client.publish('alerts', alert('alt_1'));
    client.emit('gap', { topic: 'alerts', reason: 'new-epoch', lastSeq: 1, previousEpoch: 'fake-epoch', epoch: 'e2', seq: 0 });
    client.emit('gap', { topic: 'other', reason: 'evicted', lastSeq: 1, previousEpoch: 'x', epoch: 'x', seq: 9 });
    const page = await render();
    const markers = page.querySelectorAll('[data-testid="feed-resync"]');
    expect(markers).toHaveLength(1);
    expect(markers[0].textContent).toContain('alerts after #1 of its previous run are missing');
    expect(page.querySelector('[data-testid="feed"] > li')).toBe(markers[0]);
  });

  describe('acknowledging an alert', () => {
    const ALERT_ID = 'alt_00000000000000aa';
    const AT = '2026-01-01T12:00:00.000Z';
    const row = (page: HTMLElement) => page.querySelector(`[data-alert-id="${ALERT_ID}"]`) as HTMLElement;

    /** The answer's promise settled, and the page rendered what the service made of it. */
    async function answered(fixture: { whenStable(): Promise<unknown> }): Promise<void> {
      await new Promise((resolve) => setTimeout(resolve));
      await fixture.whenStable();
    }

    /** An element's text as it reads, whitespace collapsed. */
    const text = (element: Element | null | undefined) => element?.textContent?.replace(/\s+/g, ' ').trim();

    async function renderWithAlert() {
      client.publish('alerts', alert(ALERT_ID));
      const fixture = TestBed.createComponent(FeedPageComponent);
      await fixture.whenStable();
      return { fixture, page: fixture.nativeElement as HTMLElement };
    }

    it('requests alerts.ack with the alert id, shows sending, then when the server recorded it', async () => {
      const { fixture, page } = await renderWithAlert();
      expect(row(page).getAttribute('data-ack')).toBe('none');

      (row(page).querySelector('[data-testid="ack-button"]') as HTMLButtonElement).click();
      await fixture.whenStable();
      expect(client.requests).toEqual([{ topic: 'alerts.ack', data: { alertId: ALERT_ID } }]);
      expect(row(page).getAttribute('data-ack')).toBe('sending');
      expect(row(page).querySelector('[data-testid="ack-button"]')).toBeNull();

      client.answerRequest(0, { alertId: ALERT_ID, acknowledgedAt: AT, duplicate: false });
      await answered(fixture);
      expect(row(page).getAttribute('data-ack')).toBe('acknowledged');
      const status = row(page).querySelector('[data-testid="ack-status"]');
      expect(text(status)).toContain('✓ Acknowledged at');
      expect(status?.querySelector('time')?.getAttribute('datetime')).toBe(AT);
    });

    it('says so when the server answers that the alert was acknowledged already', async () => {
      const { fixture, page } = await renderWithAlert();
      (row(page).querySelector('[data-testid="ack-button"]') as HTMLButtonElement).click();
      client.answerRequest(0, { alertId: ALERT_ID, acknowledgedAt: AT, duplicate: true });
      await answered(fixture);

      expect(text(row(page).querySelector('[data-testid="ack-status"]'))).toContain('Already acknowledged at');
      expect(row(page).querySelector('[data-duplicate="true"]')).not.toBeNull();
    });

    it('shows an acknowledgement clicked while disconnected as queued, and requests it only once', async () => {
      client.setState({ phase: 'backoff' });
      const { fixture, page } = await renderWithAlert();

      (row(page).querySelector('[data-testid="ack-button"]') as HTMLButtonElement).click();
      await fixture.whenStable();
      expect(row(page).getAttribute('data-ack')).toBe('queued');
      expect(row(page).textContent).toContain('Queued (offline)');
      client.setState({ phase: 'connected' });
      await fixture.whenStable();
      expect(row(page).getAttribute('data-ack')).toBe('sending');
      expect(client.requests).toHaveLength(1);
    });

    it('marks an alert acknowledged by another operator from topic alerts.acks, with the time', async () => {
      const { fixture, page } = await renderWithAlert();

      client.publish('alerts.acks', { alertId: ALERT_ID, acknowledgedAt: '2026-01-01T12:00:05.000Z' });
      await fixture.whenStable();

      expect(row(page).getAttribute('data-ack')).toBe('acknowledged');
      expect(row(page).querySelector('[data-testid="ack-status"] time')?.getAttribute('datetime')).toBe('2026-01-01T12:00:05.000Z');
      expect(client.requests).toEqual([]);
    });

    it("shows the server's error sentence and offers to try again", async () => {
      const { fixture, page } = await renderWithAlert();
      (row(page).querySelector('[data-testid="ack-button"]') as HTMLButtonElement).click();
      const sentence = 'alerts.ack needs { alertId } with the id of an alert (alt_ and 16 hex digits).';
      client.rejectRequest(0, new HeartbeatRequestError('request_failed', sentence));
      await answered(fixture);

      expect(row(page).getAttribute('data-ack')).toBe('failed');
      expect(row(page).querySelector('[role="alert"]')?.textContent).toContain(sentence);
      (row(page).querySelector('[data-testid="ack-button"]') as HTMLButtonElement).click();
      await fixture.whenStable();
      expect(client.requests).toHaveLength(2);
      expect(row(page).getAttribute('data-ack')).toBe('sending');
    });
  });

  it('shows the operators online: the presence of topic alerts', async () => {
    client.setPresence('alerts', [{ user_id: 'alice', connections: 2, since: Date.parse('2026-01-01T12:00:00.000Z') }]);
    const page = await render();
    const members = page.querySelectorAll('[data-testid="online-member"]');
    expect([...members].map((member) => member.getAttribute('data-user-id'))).toEqual(['alice']);
    expect(members[0].textContent).toContain('2 dashboards');
  });

  it('asks for the tokens while the server refuses the client token', async () => {
    client.setState({ status: 'error', phase: 'failed', lastCloseCode: 4001 });
    const page = await render();
    expect(page.querySelector('[data-testid="sign-in"]')?.textContent).toContain("CLIENT_TOKENS");
    expect(page.querySelector('[data-testid="feed-empty"]')?.textContent).toContain('not connected');
  });
});
