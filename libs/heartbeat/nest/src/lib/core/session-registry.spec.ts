import { describe, expect, it } from '@jest/globals';
import { TestCore } from '../../testing/test-core.js';

describe('SessionRegistry (core)', () => {
  it("finds a session on the connection that made it, moves it when another connection resumes it, and counts each once", async () => {
    const server = new TestCore();
    const first = await server.open();
    const id = first.connection.sessionId as string;
    expect(id).toBe(first.connection.id);
    expect(server.sessions.size).toBe(1);

    // Resumed on a second connection while the first is still attached (a half-open leftover).
    const second = await server.open({ session_id: id });
    expect([second.connection.sessionId, second.peer.framesOf('welcome')[0].resumed]).toEqual([id, true]);
    expect(first.peer.terminated).toBe(true);
    server.closeTransport(first.connection);
    expect(server.sessions.size).toBe(1);

    // Found again once detached from the second connection, and again once back on a third.
    server.closeTransport(second.connection);
    expect([server.sessions.size, server.sessions.retainedCount]).toEqual([1, 1]);
    const third = await server.open({ session_id: id });
    expect([third.connection.sessionId, third.peer.framesOf('welcome')[0].resumed]).toEqual([id, true]);
    expect([server.sessions.size, server.sessions.retainedCount]).toEqual([1, 0]);
  });

  it('does not take the id of a live connection without a session of that id for a session', async () => {
    const server = new TestCore();
    const resumed = await server.open();
    const other = await server.open({ session_id: resumed.connection.id });
    expect(other.peer.framesOf('welcome')[0].resumed).toBe(true);
    // `other` carries a session whose id is not its own: naming `other`'s id resumes nothing.
    const stranger = await server.open({ session_id: other.connection.id });
    expect([stranger.peer.framesOf('welcome')[0].resumed, stranger.connection.sessionId]).toEqual([false, stranger.connection.id]);
    expect(server.sessions.size).toBe(2);
  });
});
