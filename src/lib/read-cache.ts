/**
 * A small in-process read cache (LRU with a time limit). It saves database round trips on every
 * update (the sender's member record, the dialogue state). Invalidated by this process's own writes
 * only (db/write-watch.ts for the watched models, explicit calls elsewhere), so writes made by
 * another process are seen at the latest after `ttlMs`: the one place that assumes one process
 * per database (docs/ARCHITECTURE.md lists every cache and its bound).
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

/** Taken before a database read and handed to `set` (see ReadCache.stamp). */
export interface Stamp {
  readonly all: string;
  readonly seq: number;
}

/** Keys written since a read began are remembered up to this many; beyond, everything is dropped. */
const MAX_TRACKED_WRITES = 10_000;

export class ReadCache<K, V> {
  private readonly map = new Map<K, Entry<V>>();
  private local = 0;
  /** Counts invalidate(key) calls; `written` has, per key, the count at its last invalidation and how many it had. */
  private seq = 0;
  private readonly written = new Map<K, { seq: number; times: number }>();

  constructor(private readonly options: ReadCacheOptions) {}

  private current(): string {
    return `${epoch}:${this.options.version?.() ?? 0}:${this.local}`;
  }

  /**
   * Take a stamp before reading the database and pass it to `set`: a read that raced with a write
   * (the whole cache's version changed meanwhile, or its key was invalidated) is not cached.
   */
  stamp(): Stamp {
    return { all: this.current(), seq: this.seq };
  }

  /** One key's data changed (or is changing): drop it, and refuse reads of it begun before now. */
  invalidate(key: K): void {
    this.map.delete(key);
    this.seq++;
    const times = (this.written.get(key)?.times ?? 0) + 1;
    this.written.delete(key);
    this.written.set(key, { seq: this.seq, times });
    if (this.written.size > MAX_TRACKED_WRITES) this.clear();
  }

  /** A stamp for caching what the caller is about to write itself (see setOwnWrite). */
  stampFor(key: K): Stamp & { times: number } {
    return { ...this.stamp(), times: this.written.get(key)?.times ?? 0 };
  }

  /**
   * Caches what the caller itself just wrote. `stamp` was taken before its write, which invalidated
   * the key `ownInvalidations` times (one write through a watched model: WATCHED_WRITE_INVALIDATIONS);
   * if anything else invalidated it, or the whole cache, meanwhile, nothing is cached.
   */
  setOwnWrite(key: K, value: V, stamp: Stamp & { times: number }, ownInvalidations: number): void {
    if (stamp.all !== this.current() || (this.written.get(key)?.times ?? 0) !== stamp.times + ownInvalidations) return;
    this.store(key, value, stamp.all);
  }

  /** The cached value, or what `load` reads from the database (kept unless a write raced with it). */
  async getOrLoad(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.get(key);
    if (hit) return hit.value;
    const stamp = this.stamp();
    const value = await load();
    this.set(key, value, stamp);
    return value;
  }

  get(key: K): { value: V } | undefined {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    const now = this.options.now?.() ?? Date.now();
    if (entry.stamp !== this.current() || now - entry.at > this.options.ttlMs) {
      this.map.delete(key);
      return undefined;
    }
    // Most recently used goes to the end (Map keeps insertion order).
    this.map.delete(key);
    this.map.set(key, entry);
    return { value: entry.value };
  }

  set(key: K, value: V, stamp: Stamp = this.stamp()): void {
    if (stamp.all !== this.current() || (this.written.get(key)?.seq ?? 0) > stamp.seq) return;
    this.store(key, value, stamp.all);
  }

  private store(key: K, value: V, stamp: string): void {
    this.map.delete(key);
    this.map.set(key, { value, at: this.options.now?.() ?? Date.now(), stamp });
    while (this.map.size > this.options.max) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.written.clear();
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
  return () => cache.getOrLoad(0, load);
}
