// A Nest application has Reflect's metadata API through @nestjs/core; this spec loads no application.
import 'reflect-metadata';
import { HeartbeatMessages } from './core/heartbeat.messages.js';
import { HEARTBEAT_HANDLER_TOPIC, HeartbeatHandler } from './heartbeat-handler.decorator.js';

class Alerts {
  static create(): Alerts {
    return new Alerts();
  }

  ack(): string {
    return 'acknowledged';
  }
}

function decorate(topic: string, key: 'ack' = 'ack'): void {
  const descriptor = Object.getOwnPropertyDescriptor(Alerts.prototype, key)!;
  HeartbeatHandler(topic)(Alerts.prototype, key, descriptor);
}

describe('HeartbeatHandler', () => {
  it('records the topic on the method', () => {
    decorate('alerts.ack');
    expect(Reflect.getMetadata(HEARTBEAT_HANDLER_TOPIC, Alerts.prototype.ack)).toBe('alerts.ack');
  });

  it('refuses, where the class is declared, a topic clients cannot send requests to', () => {
    expect(() => decorate('alerts ack')).toThrow(/^@HeartbeatHandler\(\) on Alerts\.ack names a topic clients cannot send requests to: The topic name "alerts ack" has a character/);
    expect(() => decorate('')).toThrow(/non-empty string/);
  });

  it('refuses a static method, which no instance would answer with', () => {
    const descriptor = Object.getOwnPropertyDescriptor(Alerts, 'create')!;
    expect(() => HeartbeatHandler('alerts.create')(Alerts, 'create', descriptor)).toThrow(new Error(HeartbeatMessages.handlerOnStaticMethod('Alerts.create')));
  });

  it('refuses a property that is not a method', () => {
    const target = { constructor: Alerts };
    expect(() => HeartbeatHandler('alerts.ack')(target, 'count', { value: 3 })).toThrow(new Error(HeartbeatMessages.handlerNotAMethod('Alerts.count')));
  });
});
