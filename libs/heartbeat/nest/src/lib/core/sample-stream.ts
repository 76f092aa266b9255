import { Observable, type Subscriber } from 'rxjs';

/**
 * A multicast stream for values that come at heartbeat rate (one per answered ping of every
 * connection: 19,000 a second at 19,000 connections). rxjs' Subject.next allocates a closure and an
 * iterator per value; this one walks an array. The array is replaced, never changed, on subscribe
 * and unsubscribe, so a subscriber that leaves while a value is delivered does not make another miss
 * it. An observer that throws is reported as rxjs reports it (its Subscriber catches the error).
 */
export class SampleStream<T> {
  private subscribers: readonly Subscriber<T>[] = [];

  readonly observable: Observable<T> = new Observable<T>((subscriber) => {
    this.subscribers = [...this.subscribers, subscriber];
    return () => {
      this.subscribers = this.subscribers.filter((other) => other !== subscriber);
    };
  });

  /** True while someone subscribes: the emitter can skip making values nobody reads. */
  get observed(): boolean {
    return this.subscribers.length > 0;
  }

  next(value: T): void {
    const subscribers = this.subscribers;
    for (let i = 0; i < subscribers.length; i++) subscribers[i].next(value);
  }
}
