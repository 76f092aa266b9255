/**
 * The last `capacity` distinct ids seen, oldest forgotten first: a bounded window for dropping
 * duplicates. `capacity` 0 remembers nothing.
 */
export class RecentIds {
  // A Set iterates in insertion order, so its first entry is the oldest.
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers `id`; false when it was already in the window (a duplicate). */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    if (this.capacity === 0) return true;
    if (this.ids.size >= this.capacity) this.ids.delete(this.ids.values().next().value as string);
    this.ids.add(id);
    return true;
  }
}
