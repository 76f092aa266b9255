/**
 * Writes the server's pings as UTF-8 bytes. All pings of one wheel tick share their timestamp, so
 * each is the tick's prefix followed by the connection's sequence: one copy and a few digits per
 * connection, rather than a string ws would measure and encode again. A Buffer also lets the
 * socket write the frame without converting text (an idle server spends most of its time here).
 */
export class PingFrameEncoder {
  private prefix: Buffer = Buffer.alloc(0);

  /** Starts a tick: `timestamp` (ISO 8601) and `serverTime` (epoch ms) of every ping it sends. */
  begin(timestamp: string, serverTime: number): void {
    // Every character is ASCII (an ISO date and digits): latin1 is the UTF-8 encoding here.
    this.prefix = Buffer.from(`{"type":"ping","timestamp":"${timestamp}","server_time":${serverTime},"sequence":`, 'latin1');
  }

  /** The ping with this sequence number (a non-negative safe integer), as a JSON text frame's bytes. */
  encode(sequence: number): Buffer {
    const digits = decimalDigits(sequence);
    const frame = Buffer.allocUnsafe(this.prefix.length + digits + 1);
    this.prefix.copy(frame, 0);
    let value = sequence;
    for (let at = this.prefix.length + digits - 1; at >= this.prefix.length; at--) {
      frame[at] = 0x30 + (value % 10);
      value = Math.floor(value / 10);
    }
    frame[frame.length - 1] = 0x7d; // }
    return frame;
  }
}

function decimalDigits(value: number): number {
  let digits = 1;
  while (value >= 10 ** digits) digits++;
  return digits;
}
