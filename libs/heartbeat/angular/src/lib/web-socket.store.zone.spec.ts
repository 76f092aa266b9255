import { ChangeDetectionStrategy, Component, NgZone, inject } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { HeartbeatClientOptions } from '@heartbeat/client';
import { FakeHeartbeatClient } from '../testing/fake-heartbeat.client.js';
import { provideHeartbeat, withClientFactory } from './heartbeat.providers.js';
import { WebSocketStore } from './web-socket.store.js';

/** Records, per call, whether the fake client was called inside Angular's zone. */
class ZoneRecordingClient extends FakeHeartbeatClient {
  readonly inAngularZone: Partial<Record<string, boolean>> = {};

  override connect(): Promise<void> {
    this.inAngularZone['connect'] = NgZone.isInAngularZone();
    return super.connect();
  }

  override sendPing(): boolean {
    this.inAngularZone['sendPing'] = NgZone.isInAngularZone();
    return super.sendPing();
  }
}

@Component({
  selector: 'hb-zone-probe',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: '<span>{{ store.status() }} {{ store.pingCount() }}</span>',
})
class ZoneProbeComponent {
  readonly store = inject(WebSocketStore);
}

describe('WebSocketStore', () => {
  describe('in a zone.js app', () => {
    let zone: NgZone;
    let client: ZoneRecordingClient;
    let createdInAngularZone: boolean | undefined;

    beforeEach(() => {
      createdInAngularZone = undefined;
      TestBed.configureTestingModule({
        providers: [
          provideHeartbeat(
            {},
            withClientFactory((options: HeartbeatClientOptions) => {
              createdInAngularZone = NgZone.isInAngularZone();
              client = new ZoneRecordingClient(options);
              return client;
            }),
          ),
        ],
      });
      zone = TestBed.inject(NgZone);
    });

    it('runs on a real zone.js NgZone', () => {
      expect(zone.constructor.name).not.toBe('NoopNgZone');
      expect(zone.run(() => NgZone.isInAngularZone())).toBe(true);
    });

    it('creates the client outside Angular’s zone, even when asked from inside it', () => {
      zone.run(() => TestBed.inject(WebSocketStore));

      expect(createdInAngularZone).toBe(false);
    });

    it('calls the client outside Angular’s zone', async () => {
      const store = zone.run(() => TestBed.inject(WebSocketStore));

      await zone.run(() => store.connect());
      zone.run(() => store.sendPing());

      expect(client.inAngularZone).toEqual({ connect: false, sendPing: false });
    });

    it('delivers topic events and handlers inside Angular’s zone although the socket is outside', () => {
      const store = TestBed.inject(WebSocketStore);
      const seen: string[] = [];
      const subscription = store.subscribe('alerts').subscribe(() => seen.push(`event in zone: ${NgZone.isInAngularZone()}`));
      const off = store.on('pong', () => seen.push(`pong in zone: ${NgZone.isInAngularZone()}`));

      zone.runOutsideAngular(() => {
        client.publish('alerts', { id: 1 });
        client.emit('pong', { sequence: 1, rttMs: 5, clockOffsetMs: 0, at: 1 });
      });
      subscription.unsubscribe();
      off();

      expect(seen).toEqual(['event in zone: true', 'pong in zone: true']);
    });

    it('updates an OnPush template when the state changes outside the zone', async () => {
      const fixture = TestBed.createComponent(ZoneProbeComponent);
      fixture.autoDetectChanges();
      await fixture.whenStable();
      expect(fixture.nativeElement.textContent).toBe('disconnected 0');

      await new Promise<void>((resolve) =>
        zone.runOutsideAngular(() =>
          setTimeout(() => {
            client.setState({ phase: 'connected', pingCount: 2 });
            resolve();
          }, 0),
        ),
      );
      await fixture.whenStable();

      expect(fixture.nativeElement.textContent).toBe('connected 2');
    });
  });
});
