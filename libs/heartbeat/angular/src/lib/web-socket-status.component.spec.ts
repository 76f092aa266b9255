import { Component, LOCALE_ID, signal } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import type { ConnectionPhase, HeartbeatClientState } from '@heartbeat/client';
import { FakeHeartbeatClient } from '../testing/fake-heartbeat.client.js';
import { provideHeartbeatTesting } from '../testing/heartbeat-testing.providers.js';
import { statusTextsForLocale } from './heartbeat-status.texts.js';
import { withStatusTexts, type HeartbeatFeature } from './heartbeat.providers.js';
import type { StatusPanelAlign } from './status-panel-placement.js';
import { WebSocketStatusComponent } from './web-socket-status.component.js';
import { WebSocketStore } from './web-socket.store.js';

@Component({
  selector: 'hb-test-host',
  imports: [WebSocketStatusComponent],
  template: `
    <p data-testid="outside">elsewhere on the page</p>
    <hb-websocket-status [showDetails]="showDetails()" [showReconnect]="showReconnect()" [panelAlign]="panelAlign()" />
  `,
})
class HostComponent {
  readonly showDetails = signal(true);
  readonly showReconnect = signal(true);
  readonly panelAlign = signal<StatusPanelAlign>('auto');
}

describe('WebSocketStatusComponent', () => {
  let fixture: ComponentFixture<HostComponent>;
  let client: FakeHeartbeatClient;
  let store: WebSocketStore;

  async function render(
    state: Partial<HeartbeatClientState> = {},
    { locale, features = [] }: { locale?: string; features?: HeartbeatFeature[] } = {},
  ): Promise<void> {
    client = new FakeHeartbeatClient(undefined, state);
    TestBed.configureTestingModule({
      providers: [
        provideHeartbeatTesting(client, ...features, ...(locale ? [withStatusTexts(statusTextsForLocale)] : [])),
        ...(locale ? [{ provide: LOCALE_ID, useValue: locale }] : []),
      ],
    });
    fixture = TestBed.createComponent(HostComponent);
    store = TestBed.inject(WebSocketStore);
    await fixture.whenStable();
  }

  const host = (): HTMLElement => fixture.nativeElement.querySelector('hb-websocket-status');
  const byTestId = <T extends HTMLElement = HTMLElement>(id: string): T | null =>
    fixture.nativeElement.querySelector(`[data-testid="${id}"]`);
  const text = (id: string): string => byTestId(id)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
  const toggle = (): HTMLButtonElement => byTestId<HTMLButtonElement>('hb-status-toggle')!;

  async function setState(patch: Partial<HeartbeatClientState>): Promise<void> {
    client.setState(patch);
    await fixture.whenStable();
  }

  async function openDetails(): Promise<void> {
    toggle().click();
    await fixture.whenStable();
    expect(byTestId('hb-status-details')).not.toBeNull();
  }

  async function press(target: HTMLElement, key: string): Promise<void> {
    target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    await fixture.whenStable();
  }

  describe('indicator', () => {
    it.each<[ConnectionPhase, string, string, string]>([
      ['connected', 'connected', 'Connected', '已连接'],
      ['connecting', 'connecting', 'Connecting', '连接中'],
      ['failed', 'error', 'Connection error', '连接错误'],
      ['idle', 'disconnected', 'Disconnected', '已断开'],
    ])('shows phase %s as status %s: "%s", or "%s" in Chinese', async (phase, status, english, chinese) => {
      await render({ phase });

      expect(host().getAttribute('data-status')).toBe(status);
      expect(text('hb-status-label')).toBe(english);
      expect(toggle().getAttribute('aria-label')).toBe(`WebSocket connection: ${english}`);

      TestBed.resetTestingModule();
      await render({ phase }, { locale: 'zh-CN' });

      expect(host().getAttribute('data-status')).toBe(status);
      expect(text('hb-status-label')).toBe(chinese);
    });

    it('follows status changes', async () => {
      await render();

      await setState({ phase: 'connecting' });
      expect(host().getAttribute('data-status')).toBe('connecting');
      await setState({ phase: 'connected' });

      expect(host().getAttribute('data-status')).toBe('connected');
      expect(text('hb-status-label')).toBe('Connected');
    });

    it('announces status changes politely to screen readers', async () => {
      await render();
      const announcer = byTestId('hb-status-announcer')!;

      await setState({ phase: 'connected' });

      expect(announcer.getAttribute('role')).toBe('status');
      expect(announcer.getAttribute('aria-live')).toBe('polite');
      expect(announcer.textContent?.trim()).toBe('WebSocket connection status: Connected');
    });

    it('uses texts given by withStatusTexts()', async () => {
      await render({ phase: 'connected' }, { features: [withStatusTexts({ statuses: { connected: 'Live' } })] });

      expect(text('hb-status-label')).toBe('Live');
    });

    it('offers an inline reconnect while disconnected or failed, not while connected', async () => {
      await render({ phase: 'idle' });
      const connect = jest.spyOn(store, 'connect');

      byTestId('hb-reconnect-inline')!.click();
      await fixture.whenStable();

      expect(connect).toHaveBeenCalledTimes(1);
      expect(byTestId('hb-reconnect-inline')).toBeNull();
    });
  });

  describe('details panel', () => {
    it('is a disclosure: a native button that points at the panel it opens and closes', async () => {
      await render();
      const button = toggle();

      expect(button.tagName).toBe('BUTTON');
      expect(button.type).toBe('button');
      expect(button.getAttribute('aria-expanded')).toBe('false');
      expect(byTestId('hb-status-details')).toBeNull();

      await openDetails();
      const panel = byTestId('hb-status-details')!;

      expect(button.getAttribute('aria-expanded')).toBe('true');
      expect(button.getAttribute('aria-controls')).toBe(panel.id);
      expect(panel.id).not.toBe('');

      button.click();
      await fixture.whenStable();

      expect(button.getAttribute('aria-expanded')).toBe('false');
      expect(byTestId('hb-status-details')).toBeNull();
    });

    it('closes on Escape and gives focus back to the indicator', async () => {
      await render({ phase: 'connected' });
      await openDetails();
      const ping = byTestId<HTMLButtonElement>('hb-send-ping')!;
      ping.focus();

      await press(ping, 'Escape');

      expect(byTestId('hb-status-details')).toBeNull();
      expect(document.activeElement).toBe(toggle());
    });

    it('ignores other keys inside the panel', async () => {
      await render();
      await openDetails();

      await press(byTestId('hb-disconnect')!, 'Tab');

      expect(byTestId('hb-status-details')).not.toBeNull();
    });

    it('closes on a click elsewhere on the page, not on a click inside', async () => {
      await render();
      await openDetails();

      byTestId('hb-ping-count')!.click();
      await fixture.whenStable();
      expect(byTestId('hb-status-details')).not.toBeNull();

      byTestId('outside')!.click();
      await fixture.whenStable();
      expect(byTestId('hb-status-details')).toBeNull();
    });

    it('shows counters, times, RTT, clock offset and the error', async () => {
      const now = Date.now();
      await render({
        phase: 'backoff',
        pingCount: 12,
        pongCount: 11,
        missedPongs: 2,
        reconnectAttempts: 2,
        maxReconnectAttempts: 5,
        reconnectCount: 4,
        lastPingAt: now - 1_000,
        lastPongAt: now - 900,
        rttMs: 41.6,
        rttSmoothedMs: 35.2,
        clockOffsetMs: -120,
        lastError: 'The server did not answer 3 pings in a row.',
      });
      await openDetails();

      expect(text('hb-ping-count')).toBe('12');
      expect(text('hb-pong-count')).toBe('11');
      expect(text('hb-missed-pongs')).toBe('2');
      expect(text('hb-reconnect-attempts')).toBe('2 of 5');
      expect(text('hb-reconnect-count')).toBe('4');
      expect(text('hb-rtt')).toBe('42 ms (avg 35 ms)');
      expect(text('hb-clock-offset')).toBe('-120 ms');
      expect(text('hb-error')).toBe('The server did not answer 3 pings in a row.');
      expect(text('hb-last-ping')).toMatch(/\d{1,2}:\d{2}:\d{2}/);
      expect(text('hb-last-pong')).toMatch(/\d{1,2}:\d{2}:\d{2}/);
      expect(text('hb-phase')).toBe('Connecting · Waiting to reconnect');
      expect(byTestId('hb-reconnect-attempts')!.querySelector('progress')!.value).toBe(2);
    });

    it('shows a dash where there is nothing yet', async () => {
      await render();
      await openDetails();

      for (const id of ['hb-connected-at', 'hb-last-ping', 'hb-last-pong', 'hb-rtt', 'hb-clock-offset', 'hb-error', 'hb-countdown']) {
        expect([id, text(id)]).toEqual([id, '—']);
      }
    });

    it('speaks Chinese in a Chinese app', async () => {
      await render({ phase: 'backoff', reconnectAttempts: 1, maxReconnectAttempts: 5, rttMs: 20 }, { locale: 'zh-CN' });
      await openDetails();

      expect(text('hb-reconnect-attempts')).toBe('第 1 / 5 次');
      expect(text('hb-rtt')).toBe('20 毫秒');
      expect(text('hb-reconnect')).toBe('立即重连');
      expect(text('hb-reset')).toBe('重置状态');
    });
  });

  describe('panel placement', () => {
    // jsdom has no layout: the indicator's box and the panel's size are given here, and the
    // viewport is jsdom's window, 1024 × 768.
    let indicatorBox: { left: number; top: number; width: number; height: number };

    beforeEach(() => {
      indicatorBox = { left: 0, top: 10, width: 100, height: 30 };
      jest.spyOn(Element.prototype, 'getBoundingClientRect').mockImplementation(function (this: Element) {
        const { left, top, width, height } = this.matches('hb-websocket-status')
          ? indicatorBox
          : this.matches('[data-testid="hb-status-details"]')
            ? { left: 0, top: 0, width: 300, height: 400 }
            : { left: 0, top: 0, width: 0, height: 0 };
        return DOMRect.fromRect({ x: left, y: top, width, height });
      });
    });

    const panel = (): HTMLElement => byTestId('hb-status-details')!;

    // left/top are relative to the indicator: 8 px from the viewport's edges, 6 px from the indicator.
    it.each([
      ['at the left edge', 0, 10, 'below-start', '8px', '36px'],
      ['in the bottom right corner', 924, 738, 'above-end', '-208px', '-406px'],
    ])('places the panel of an indicator %s inside the viewport', async (_where, left, top, placement, styleLeft, styleTop) => {
      indicatorBox = { left, top, width: 100, height: 30 };
      await render();
      await openDetails();

      expect(panel().dataset['placement']).toBe(placement);
      expect([panel().style.left, panel().style.top]).toEqual([styleLeft, styleTop]);
    });

    it('places the panel again when the window is resized while it is open', async () => {
      indicatorBox = { left: 900, top: 10, width: 100, height: 30 };
      await render();
      await openDetails();
      expect(panel().dataset['placement']).toBe('below-end');

      indicatorBox = { left: 0, top: 10, width: 100, height: 30 };
      window.dispatchEvent(new Event('resize'));
      await fixture.whenStable();

      expect(panel().dataset['placement']).toBe('below-start');
      expect(panel().style.left).toBe('8px');
    });

    it('lines up with the edge panelAlign asks for', async () => {
      indicatorBox = { left: 450, top: 10, width: 100, height: 30 };
      await render();
      fixture.componentInstance.panelAlign.set('start');
      await openDetails();

      expect(panel().dataset['placement']).toBe('below-start');
      expect(panel().style.left).toBe('0px');

      fixture.componentInstance.panelAlign.set('end');
      await fixture.whenStable();

      expect(panel().dataset['placement']).toBe('below-end');
      expect(panel().style.left).toBe('-200px');
    });
  });

  describe('clock', () => {
    beforeEach(() => {
      jest.useFakeTimers({ now: new Date('2025-03-01T10:00:00Z') });
    });

    afterEach(() => {
      jest.useRealTimers();
    });

    /** Under fake timers the zoneless scheduler's own timer is fake too, so render explicitly. */
    function advance(ms: number): void {
      jest.advanceTimersByTime(ms);
      fixture.detectChanges();
    }

    function renderOpen(state: Partial<HeartbeatClientState>): void {
      client = new FakeHeartbeatClient(undefined, state);
      TestBed.configureTestingModule({ providers: [provideHeartbeatTesting(client)] });
      fixture = TestBed.createComponent(HostComponent);
      store = TestBed.inject(WebSocketStore);
      fixture.detectChanges();
      toggle().click();
      fixture.detectChanges();
    }

    it('counts down to the next attempt every second', () => {
      renderOpen({ phase: 'backoff', nextReconnectAt: Date.now() + 5_000 });

      expect(text('hb-countdown')).toBe('in 5 s');
      expect(byTestId('hb-countdown')!.dataset['seconds']).toBe('5');
      advance(1_000);
      expect(text('hb-countdown')).toBe('in 4 s');
      advance(3_500);
      expect(text('hb-countdown')).toBe('in 1 s');
      advance(600);
      expect(text('hb-countdown')).toBe('in 0 s');
    });

    it('stops counting down when no attempt is scheduled, and starts again from the new attempt', () => {
      renderOpen({ phase: 'backoff', nextReconnectAt: Date.now() + 7_500 });
      expect(text('hb-countdown')).toBe('in 8 s');

      client.setState({ phase: 'idle', nextReconnectAt: null });
      fixture.detectChanges();
      expect(text('hb-countdown')).toBe('—');
      advance(2_000);
      expect(text('hb-countdown')).toBe('—');

      // The panel's clock last moved 2 s ago: the new countdown is measured from now, not from then.
      client.setState({ phase: 'backoff', nextReconnectAt: Date.now() + 3_000 });
      fixture.detectChanges();
      expect(text('hb-countdown')).toBe('in 3 s');
    });

    it('runs no timer while the panel is closed', () => {
      renderOpen({ phase: 'backoff', nextReconnectAt: Date.now() + 5_000 });

      toggle().click();
      fixture.detectChanges();

      expect(jest.getTimerCount()).toBe(0);
    });

    it('shows when the connection was made and how long ago', () => {
      const connectedAt = Date.now() - 65_000;
      renderOpen({ phase: 'connected', connectedAt });

      expect(byTestId('hb-connected-at')!.querySelector('time')!.getAttribute('datetime')).toBe(new Date(connectedAt).toISOString());
      expect(text('hb-connected-at')).toMatch(/for 1 min 5 s$/);
      advance(2_000);
      expect(text('hb-connected-at')).toMatch(/for 1 min 7 s$/);
    });
  });

  describe('controls', () => {
    it.each([
      ['hb-reconnect', 'connect'],
      ['hb-disconnect', 'disconnect'],
      ['hb-send-ping', 'sendPing'],
      ['hb-reset', 'resetReconnectState'],
    ] as const)('%s calls store.%s()', async (testId, method) => {
      await render({ phase: 'connected' });
      await openDetails();
      const spy = jest.spyOn(store, method);

      byTestId(testId)!.click();
      await fixture.whenStable();

      expect(spy).toHaveBeenCalledTimes(1);
    });

    it('turns auto-reconnect off and on with the switch, which shows the current setting', async () => {
      await render({ phase: 'connected', autoReconnect: true });
      await openDetails();
      const disable = jest.spyOn(store, 'disableAutoReconnect');
      const enable = jest.spyOn(store, 'enableAutoReconnect');
      const toggleSwitch = byTestId<HTMLInputElement>('hb-auto-reconnect')!;

      expect(toggleSwitch.type).toBe('checkbox');
      expect(toggleSwitch.getAttribute('role')).toBe('switch');
      expect(toggleSwitch.checked).toBe(true);

      toggleSwitch.click();
      await fixture.whenStable();
      expect(disable).toHaveBeenCalledTimes(1);
      expect(toggleSwitch.checked).toBe(false);
      expect(toggleSwitch.getAttribute('aria-checked')).toBe('false');

      toggleSwitch.click();
      await fixture.whenStable();
      expect(enable).toHaveBeenCalledTimes(1);
      expect(toggleSwitch.checked).toBe(true);
    });

    it('keeps a failed manual reconnect out of the unhandled rejections', async () => {
      await render({ phase: 'failed' });
      await openDetails();
      jest.spyOn(client, 'connect').mockRejectedValue(new Error('refused'));
      const unhandled = jest.fn();
      process.on('unhandledRejection', unhandled);
      try {
        byTestId('hb-reconnect')!.click();
        await new Promise((resolve) => setTimeout(resolve, 0));

        expect(client.connect).toHaveBeenCalledTimes(1);
        expect(unhandled).not.toHaveBeenCalled();
      } finally {
        process.off('unhandledRejection', unhandled);
      }
    });

    it('disables send ping unless connected', async () => {
      await render({ phase: 'backoff' });
      await openDetails();

      expect(byTestId<HTMLButtonElement>('hb-send-ping')!.disabled).toBe(true);
      await setState({ phase: 'connected' });
      expect(byTestId<HTMLButtonElement>('hb-send-ping')!.disabled).toBe(false);
    });
  });

  describe('inputs', () => {
    it('showDetails=false shows a plain label that opens nothing', async () => {
      await render();
      fixture.componentInstance.showDetails.set(false);
      await fixture.whenStable();

      expect(toggle().tagName).toBe('SPAN');
      toggle().click();
      await fixture.whenStable();
      expect(byTestId('hb-status-details')).toBeNull();
      expect(text('hb-status-label')).toBe('Disconnected');
    });

    it('showReconnect=false hides reconnect progress and controls, keeps the rest', async () => {
      await render({ phase: 'idle' });
      fixture.componentInstance.showReconnect.set(false);
      await fixture.whenStable();
      expect(byTestId('hb-reconnect-inline')).toBeNull();
      await openDetails();

      for (const id of ['hb-reconnect', 'hb-reset', 'hb-auto-reconnect', 'hb-countdown', 'hb-reconnect-attempts', 'hb-reconnect-count']) {
        expect([id, byTestId(id)]).toEqual([id, null]);
      }
      for (const id of ['hb-disconnect', 'hb-send-ping', 'hb-ping-count', 'hb-rtt', 'hb-error']) {
        expect([id, byTestId(id) === null]).toEqual([id, false]);
      }
    });

    it('accepts attribute strings such as show-details="false"', async () => {
      @Component({
        selector: 'hb-attribute-host',
        imports: [WebSocketStatusComponent],
        template: '<hb-websocket-status showDetails="false" showReconnect="false" />',
      })
      class AttributeHostComponent {}
      client = new FakeHeartbeatClient(undefined, { phase: 'idle' });
      TestBed.configureTestingModule({ providers: [provideHeartbeatTesting(client)] });
      const attributeFixture = TestBed.createComponent(AttributeHostComponent);
      await attributeFixture.whenStable();
      const element: HTMLElement = attributeFixture.nativeElement;

      expect(element.querySelector('[data-testid="hb-status-toggle"]')!.tagName).toBe('SPAN');
      expect(element.querySelector('[data-testid="hb-reconnect-inline"]')).toBeNull();
    });
  });
});
