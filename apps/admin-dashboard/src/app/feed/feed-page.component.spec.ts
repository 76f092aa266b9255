import { TestBed } from '@angular/core/testing';
import { FakeHeartbeatClient, provideHeartbeatTesting } from '@heartbeat/angular/testing';
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

  it('asks for the tokens while the server refuses the client token', async () => {
    client.setState({ status: 'error', phase: 'failed', lastCloseCode: 4001 });
    const page = await render();
    expect(page.querySelector('[data-testid="sign-in"]')?.textContent).toContain("CLIENT_TOKENS");
    expect(page.querySelector('[data-testid="feed-empty"]')?.textContent).toContain('not connected');
  });
});
