import { TestBed } from '@angular/core/testing';
import type { PresenceMember } from '@heartbeat/protocol';
import { OnlinePanelComponent } from './online-panel.component';

describe('OnlinePanelComponent', () => {
  async function render(members: readonly PresenceMember[], connected = true): Promise<HTMLElement> {
    const fixture = TestBed.createComponent(OnlinePanelComponent);
    fixture.componentRef.setInput('members', members);
    fixture.componentRef.setInput('connected', connected);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  it('lists each member with their dashboards and since when, longest present first', async () => {
    const since = Date.parse('2026-01-01T12:00:00.000Z');
    const panel = await render([
      { user_id: 'bob', connections: 1, since: since + 60_000 },
      { user_id: 'alice', connections: 2, since },
    ]);
    const rows = [...panel.querySelectorAll('[data-testid="online-member"]')];
    expect(rows.map((row) => row.getAttribute('data-user-id'))).toEqual(['alice', 'bob']);
    expect(rows[0].textContent).toContain('2 dashboards');
    expect(rows[1].textContent).toContain('1 dashboard');
    expect(rows[0].querySelector('time')?.getAttribute('datetime')).toMatch(/^2026-01-01T/);
    expect(panel.querySelector('[data-testid="online-count"]')?.textContent).toBe('2');
  });

  it('says nobody is online, and that anonymous dashboards do not count', async () => {
    const panel = await render([]);
    expect(panel.querySelector('[data-testid="online-empty"]')?.textContent).toContain('anonymous token');
  });

  it('says who is online is unknown while disconnected', async () => {
    const panel = await render([], false);
    expect(panel.textContent).toContain('Not connected');
    expect(panel.querySelector('[data-testid="online-empty"]')).toBeNull();
  });

  it("shows the server's refusal instead of a list", async () => {
    const fixture = TestBed.createComponent(OnlinePanelComponent);
    fixture.componentRef.setInput('members', []);
    fixture.componentRef.setInput('connected', true);
    fixture.componentRef.setInput('problem', 'Topic "alerts" keeps no presence.');
    await fixture.whenStable();
    const panel = fixture.nativeElement as HTMLElement;
    expect(panel.querySelector('[data-testid="online-problem"]')?.textContent).toContain('keeps no presence');
    expect(panel.querySelector('[data-testid="online-empty"]')).toBeNull();
  });
});
