import type { BroadcastChannelFactory, BroadcastChannelLike } from '../lib/session-claims.js';

type Listener = (event: { data: unknown }) => void;

/**
 * BroadcastChannels of several "tabs" in one test: a message posted on one channel reaches every
 * other open channel of the same name, asynchronously (a microtask later), as in a browser.
 */
export function fakeBroadcastHub(): { factory: BroadcastChannelFactory; open(): number; posted: unknown[] } {
  const channels = new Set<FakeChannel>();
  const posted: unknown[] = [];

  class FakeChannel implements BroadcastChannelLike {
    private readonly listeners = new Set<Listener>();
    private closed = false;

    constructor(readonly name: string) {
      channels.add(this);
    }

    postMessage(message: unknown): void {
      if (this.closed) throw new Error('FakeChannel: postMessage() after close()');
      posted.push(message);
      const data = structuredClone(message);
      for (const channel of channels) {
        if (channel !== this && channel.name === this.name) queueMicrotask(() => channel.deliver(data));
      }
    }

    addEventListener(_type: 'message', listener: Listener): void {
      this.listeners.add(listener);
    }

    removeEventListener(_type: 'message', listener: Listener): void {
      this.listeners.delete(listener);
    }

    close(): void {
      this.closed = true;
      channels.delete(this);
    }

    private deliver(data: unknown): void {
      if (this.closed) return;
      for (const listener of [...this.listeners]) listener({ data });
    }
  }

  return { factory: (name) => new FakeChannel(name), open: () => channels.size, posted };
}
