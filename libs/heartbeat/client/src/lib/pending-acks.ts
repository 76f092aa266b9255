interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

/** Messages sent and not yet acknowledged, by id. */
export class PendingAcks {
  private readonly pending = new Map<string, Pending>();

  expect(id: string): Promise<void> {
    return new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  resolve(id: string): void {
    this.pending.get(id)?.resolve();
    this.pending.delete(id);
  }

  reject(id: string, error: Error): void {
    this.pending.get(id)?.reject(error);
    this.pending.delete(id);
  }

  rejectAll(error: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const entry of all) entry.reject(error);
  }
}
