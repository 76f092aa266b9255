/**
 * Process-wide heartbeat totals since start (docs/server.md#statistics-getstats). Services count
 * through the named methods; LocalStats reads the getters.
 */
export class HeartbeatCounters {
  private pings = 0;
  private pongs = 0;
  private clientPingCount = 0;
  private timeouts = 0;
  private cleanupAt: number | undefined;
  private resumed = 0;
  private takeovers = 0;
  private duplicates = 0;
  private slowConsumers = 0;
  private rateLimited = 0;
  private addressLimited = 0;
  private tokensExpired = 0;
  private sessionsRefused = 0;

  get pingsSent(): number {
    return this.pings;
  }
  get pongsReceived(): number {
    return this.pongs;
  }
  get clientPings(): number {
    return this.clientPingCount;
  }
  get timeoutDisconnections(): number {
    return this.timeouts;
  }
  /** When the last silence sweep ran (epoch ms). */
  get lastCleanupAt(): number | undefined {
    return this.cleanupAt;
  }
  /** Handshakes that resumed a kept session. */
  get resumedSessions(): number {
    return this.resumed;
  }
  /** Live connections dropped because their session resumed on a newer connection. */
  get sessionTakeovers(): number {
    return this.takeovers;
  }
  /** `message` frames acknowledged again but not delivered again (an id already seen in the session). */
  get duplicateMessages(): number {
    return this.duplicates;
  }
  /** Connections closed with 4009 because their send buffer passed `maxBufferedBytes`. */
  get slowConsumerDisconnections(): number {
    return this.slowConsumers;
  }
  /** Connections closed with 4429: they exceeded `rateLimit`. */
  get rateLimitedDisconnections(): number {
    return this.rateLimited;
  }
  /** Sockets closed with 1013 at once: their address was over `maxConnectionsPerAddress`. */
  get addressLimitRejections(): number {
    return this.addressLimited;
  }
  /** Connections closed with 4001 because their token expired before an `auth` renewed it. */
  get tokenExpirations(): number {
    return this.tokensExpired;
  }

  /** `hello` frames that named another user's session: each got a new session instead. */
  get sessionRefusals(): number {
    return this.sessionsRefused;
  }

  pingSent(): void {
    this.pings++;
  }
  pongReceived(): void {
    this.pongs++;
  }
  clientPinged(): void {
    this.clientPingCount++;
  }
  timedOut(): void {
    this.timeouts++;
  }
  swept(at: number): void {
    this.cleanupAt = at;
  }
  sessionResumed(): void {
    this.resumed++;
  }
  sessionTakenOver(): void {
    this.takeovers++;
  }
  duplicateMessage(): void {
    this.duplicates++;
  }
  slowConsumer(): void {
    this.slowConsumers++;
  }
  rateLimitedDisconnection(): void {
    this.rateLimited++;
  }
  addressLimitRejection(): void {
    this.addressLimited++;
  }
  tokenExpired(): void {
    this.tokensExpired++;
  }
  sessionRefused(): void {
    this.sessionsRefused++;
  }
}
