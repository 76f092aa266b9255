/**
 * Writes the server's pings. All pings of one wheel tick share their timestamp, so each is the
 * tick's prefix followed by the connection's sequence: a few digits per connection rather than a
 * frame object to stringify. The text is ASCII (an ISO date and digits), which the `ws` transport
 * writes to the socket without encoding it (ws-fast-path.ts); an idle server spends most of its own
 * time on pings and their pongs (docs/benchmarks.md).
 */
export class PingFrameEncoder {
  private prefix = '';

  /** Starts a tick: `timestamp` (ISO 8601) and `serverTime` (epoch ms) of every ping it sends. */
  begin(timestamp: string, serverTime: number): void {
    this.prefix = `{"type":"ping","timestamp":"${timestamp}","server_time":${serverTime},"sequence":`;
  }

  /** The ping with this sequence number (a non-negative safe integer), as JSON text. */
  encode(sequence: number): string {
    return `${this.prefix}${sequence}}`;
  }
}
