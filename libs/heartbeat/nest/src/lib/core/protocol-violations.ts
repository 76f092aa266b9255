import { CloseCode, type FrameError } from '@heartbeat/protocol';
import type { HeartbeatConnection } from './heartbeat-connection.js';
import { HeartbeatMessages } from './heartbeat.messages.js';
import type { ResolvedHeartbeatOptions } from './heartbeat-options.interface.js';

/** Invalid frames (docs/server.md#errors-and-bad-input): each answered with an `error`, too many close the connection with 4400. */
export class ProtocolViolations {
  constructor(private readonly options: Pick<ResolvedHeartbeatOptions, 'maxProtocolViolations'>) {}

  reject(connection: HeartbeatConnection, error: FrameError): void {
    const violations = connection.recordViolation();
    connection.sendError(error);
    if (violations >= this.options.maxProtocolViolations) {
      connection.close(CloseCode.ProtocolViolation, HeartbeatMessages.closeProtocolViolation(violations));
    }
  }
}
