import { Observable, Subject } from 'rxjs';

/**
 * Typed named events, as callbacks (`on`, the store API of docs/client.md#api) and as Observables. A
 * handler that throws is reported to `onHandlerError` and does not stop the others or the client.
 */
export class EventHub<M extends object> {
  readonly #subjects = new Map<keyof M, Subject<unknown>>();

  readonly #onHandlerError: (event: keyof M, error: unknown) => void;

  constructor(onHandlerError: (event: keyof M, error: unknown) => void) {
    this.#onHandlerError = onHandlerError;
  }

  emit<K extends keyof M>(event: K, payload: M[K]): void {
    this.#subjects.get(event)?.next(payload);
  }

  events<K extends keyof M>(event: K): Observable<M[K]> {
    return this.#subject(event).asObservable() as Observable<M[K]>;
  }

  on<K extends keyof M>(event: K, handler: (payload: M[K]) => void): () => void {
    const subscription = this.events(event).subscribe((payload) => {
      try {
        handler(payload);
      } catch (error) {
        this.#onHandlerError(event, error);
      }
    });
    return () => subscription.unsubscribe();
  }

  complete(): void {
    for (const subject of this.#subjects.values()) subject.complete();
    this.#subjects.clear();
  }

  #subject(event: keyof M): Subject<unknown> {
    let subject = this.#subjects.get(event);
    if (!subject) {
      subject = new Subject();
      this.#subjects.set(event, subject);
    }
    return subject;
  }
}
