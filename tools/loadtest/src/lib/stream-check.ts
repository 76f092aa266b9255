/**
 * What one client got of one topic, checked as events arrive without keeping them: within an
 * epoch every seq must follow the one before. A jump is a loss unless the client was told (a
 * `gap`); a seq at or below the last one is a duplicate.
 */
export class StreamCheck {
  delivered = 0;
  lost = 0;
  duplicates = 0;
  /** `gap` events: losses the client was told about (the server could not replay them). */
  gaps = 0;
  /** Epoch changes nobody announced: how much was lost there cannot be known. */
  silentEpochChanges = 0;
  private epoch: string | null = null;
  private last = -1;
  private told = false;

  event(epoch: string, seq: number): void {
    this.delivered++;
    if (epoch !== this.epoch) {
      if (this.epoch !== null && !this.told) this.silentEpochChanges++;
      this.epoch = epoch;
      this.last = seq;
      this.told = false;
      return;
    }
    if (seq <= this.last) {
      this.duplicates++;
      return;
    }
    if (seq > this.last + 1 && !this.told) this.lost += seq - this.last - 1;
    this.last = seq;
    this.told = false;
  }

  gap(): void {
    this.gaps++;
    this.told = true;
  }
}
