/**
 * Read caches across processes. Each process caches members, officers, sentras and open prompts
 * (lib/read-cache.ts) and drops entries on its own writes (db/write-watch.ts). To see the writes of
 * other processes on the same database within seconds: every write through a watched model also
 * increases that collection's counter in `cachestamps` (one small write, on collections written
 * rarely), and `startStampPolling` reads the counters every `intervalMs` and invalidates the caches
 * of each collection whose counter moved. Bound: a change made elsewhere is seen after at most
 * intervalMs plus one round trip.
 */
import { CacheStamp } from "./models/cache-stamp";

type Invalidate = () => void;
const watched = new Map<string, Invalidate>();

/** Registers a shared collection (write-watch does, for models watched with `shared`). */
export function registerShared(name: string, invalidate: Invalidate): void {
  watched.set(name, invalidate);
}

/** After a write to `name` through mongoose: tells the other processes. A failure is logged by the caller's write path, not thrown. */
export async function bumpStamp(name: string): Promise<void> {
  await CacheStamp.updateOne({ _id: name }, { $inc: { v: 1 } }, { upsert: true });
}

export interface StampPoller {
  /** One poll now (also what the timer runs); resolves to the collections invalidated. */
  pollOnce(): Promise<string[]>;
  stop(): void;
}

/** Default interval: the bound on how stale another process's change can look. */
export const STAMP_POLL_MS = 2_000;

export function startStampPolling(opts: { intervalMs?: number; onError?: (err: unknown) => void; timer?: boolean } = {}): StampPoller {
  const seen = new Map<string, number>();
  let first = true;
  const pollOnce = async (): Promise<string[]> => {
    const docs = await CacheStamp.find({ _id: { $in: [...watched.keys()] } }).lean();
    const moved: string[] = [];
    for (const d of docs) {
      const id = String(d._id);
      const before = seen.get(id);
      seen.set(id, d.v);
      // The first poll only takes note: what this process cached so far was read after those writes.
      if (!first && before !== d.v) moved.push(id);
      else if (first) continue;
    }
    first = false;
    for (const id of moved) watched.get(id)?.();
    return moved;
  };
  let timer: NodeJS.Timeout | undefined;
  if (opts.timer !== false) {
    timer = setInterval(() => {
      pollOnce().catch((err: unknown) => opts.onError?.(err));
    }, opts.intervalMs ?? STAMP_POLL_MS);
    timer.unref();
  }
  return {
    pollOnce,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
