/**
 * A small in-process read cache (LRU with a time limit). It saves database round trips on every
 * update (the sender's member record, the dialogue state), and is only correct because exactly one
 * bot process serves a database (see README, Deployment): writes made by another process are seen
 * at the latest after `ttlMs`.
 */

let epoch = 0;

/** Empties every ReadCache at once (for code that wipes the database behind mongoose's back, like tests). */
export function invalidateReadCaches(): void {
  epoch++;
}

export interface ReadCacheOptions {
  /** Entries kept at most; the least recently used one goes first. */
  max: number;
  ttlMs: number;
  /** A counter that changes whenever the cached data may have changed (e.g. bumped by every write). */
  version?: () => number;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  at: number;
  stamp: string;
}

export class ReadCache<K, V> {
  private readonly map = new Map<K, Entry<V>>();
  private local = 0;

  constructor(private readonly options: ReadCacheOptions) {}

  /**
   * Take a stamp before reading the database and pass it to `set`: a read that raced with a write
   * (the stamp changed meanwhile) is not cached.
   */
  stamp(): string {
    return `${epoch}:${this.options.version?.() ?? 0}:${this.local}`;
  }

  get(key: K): { value: V } | undefined {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    const now = this.options.now?.() ?? Date.now();
    if (entry.stamp !== this.stamp() || now - entry.at > this.options.ttlMs) {
      this.map.delete(key);
      return undefined;
    }
    // Most recently used goes to the end (Map keeps insertion order).
    this.map.delete(key);
    this.map.set(key, entry);
    return { value: entry.value };
  }

  set(key: K, value: V, stamp: string = this.stamp()): void {
    if (stamp !== this.stamp()) return;
    this.map.delete(key);
    this.map.set(key, { value, at: this.options.now?.() ?? Date.now(), stamp });
    while (this.map.size > this.options.max) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.local++;
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * A value loaded as a whole (every officer, every sentra: a few dozen documents) and kept like a
 * ReadCache entry: dropped when `version` changes (a write through mongoose), after `ttlMs`, or by
 * invalidateReadCaches(). Callers get the shared value and must not change it.
 */
export function cachedLoader<V>(options: Omit<ReadCacheOptions, "max">, load: () => Promise<V>): () => Promise<V> {
  const cache = new ReadCache<0, V>({ ...options, max: 1 });
  return async () => {
    const hit = cache.get(0);
    if (hit) return hit.value;
    const stamp = cache.stamp();
    const value = await load();
    cache.set(0, value, stamp);
    return value;
  };
}
