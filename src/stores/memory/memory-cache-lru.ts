interface Slot<Value> {
  readonly value: Value;
  readonly expiresAt: number;
  readonly bytes: number;
}

export interface LruOptions {
  readonly maxEntries: number;
  /** Infinity for no byte bound. */
  readonly maxBytes: number;
  /** Milliseconds; any monotonic or wall clock, as long as TTLs are in the same unit. */
  readonly now: () => number;
}

/**
 * A least-recently-used map with per-entry expiry, bounded by entries and by bytes. A Map keeps
 * insertion order, so re-inserting on each read keeps the least recently used first: reads,
 * writes and evictions are O(1). Expired entries are dropped when read, or evicted in turn.
 */
export class BoundedLru<Value> {
  private readonly slots = new Map<string, Slot<Value>>();
  private totalBytes = 0;
  private evicted = 0;
  private expired = 0;

  constructor(private readonly options: LruOptions) {}

  get size(): number {
    return this.slots.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get evictions(): number {
    return this.evicted;
  }

  get expirations(): number {
    return this.expired;
  }

  get(key: string): Value | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    this.slots.delete(key);
    if (slot.expiresAt <= this.options.now()) {
      this.totalBytes -= slot.bytes;
      this.expired++;
      return undefined;
    }
    this.slots.set(key, slot);
    return slot.value;
  }

  /** An entry larger than the byte bound on its own is not kept. */
  set(key: string, value: Value, ttlMs: number, bytes: number): void {
    this.delete(key);
    if (ttlMs <= 0 || bytes > this.options.maxBytes || this.options.maxEntries <= 0) return;
    this.slots.set(key, { value, expiresAt: this.options.now() + ttlMs, bytes });
    this.totalBytes += bytes;
    while (this.slots.size > this.options.maxEntries || this.totalBytes > this.options.maxBytes) {
      const oldest = this.slots.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
      this.evicted++;
    }
  }

  delete(key: string): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.slots.delete(key);
    this.totalBytes -= slot.bytes;
    return true;
  }

  /** Removes every entry whose key matches; returns how many. */
  deleteWhere(matches: (key: string) => boolean): number {
    let removed = 0;
    for (const key of [...this.slots.keys()]) if (matches(key) && this.delete(key)) removed++;
    return removed;
  }
}
