/**
 * The last `capacity` distinct ids seen, oldest forgotten first: a bounded window for dropping
 * duplicates. `capacity` 0 remembers nothing.
 */
export class RecentIds {
  // A Set iterates in insertion order, so its first entry is the oldest. Made on the first id: every
  // session has a window, and most never receive a `message` (an empty Set is about 200 bytes).
  private ids: Set<string> | undefined;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.ids?.size ?? 0;
  }

  has(id: string): boolean {
    return this.ids?.has(id) ?? false;
  }

  /** Remembers `id`; false when it was already in the window (a duplicate). */
  add(id: string): boolean {
    if (this.ids?.has(id)) return false;
    if (this.capacity === 0) return true;
    const ids = (this.ids ??= new Set());
    if (ids.size >= this.capacity) ids.delete(ids.values().next().value as string);
    ids.add(id);
    return true;
  }
}
