/**
 * Mutual exclusion that works on FerretDB v1 as well as MongoDB. FerretDB v1 applies concurrent
 * updates of one document as read-modify-write and loses some (measured: 30 parallel $push kept 7,
 * and a status-guarded updateOne had several winners), but an insert into a unique index has
 * exactly one winner. So a lock is an inserted document and every writer of a request holds it.
 *
 * A crashed holder must not block forever, and taking over a stale lock would need an atomic
 * update. Instead the lock's key carries a time bucket: the holder inserts `key#b` and `key#b+1`
 * (b = now / bucketMs) in that order. Anyone else inserts their own current bucket first, which is
 * one of those two for at least one whole bucket, and fails. From bucket b+2 on the lock is free
 * again, so a holder must finish within `bucketMs` (callers keep work far shorter).
 */
import { Lock } from "../db/models/lock";
import { bulkWriteFailures, isDuplicateKeyError } from "../db/errors";

export const LOCK_BUCKET_MS = 15_000;
const WAIT_STEP_MS = 15;
const WAIT_LIMIT_MS = 40_000;

export class LockTimeoutError extends Error {
  override name = "LockTimeoutError";
}

export type Release = () => Promise<void>;

/** One attempt to take `key` across processes: a release function, or null when someone holds it. */
export async function tryLock(key: string, bucketMs = LOCK_BUCKET_MS): Promise<Release | null> {
  // Wall time on purpose: every process must agree on the buckets.
  const b = Math.floor(Date.now() / bucketMs);
  const first = `${key}#${b}`;
  const second = `${key}#${b + 1}`;
  const createdAt = new Date();
  try {
    // Both keys in one round trip, in order: when the first is taken, the second is not tried.
    await Lock.insertMany(
      [
        { _id: first, createdAt },
        { _id: second, createdAt },
      ],
      { ordered: true },
    );
  } catch (err) {
    const failed = bulkWriteFailures(err)?.[0];
    if (!failed?.duplicate) {
      if (isDuplicateKeyError(err)) return null;
      throw err;
    }
    // The second key is held (its holder's bucket ended): give the first back.
    if (failed.index === 1) await Lock.deleteOne({ _id: first });
    return null;
  }
  return async () => {
    await Lock.deleteMany({ _id: { $in: [first, second] } });
  };
}

const local = new Map<string, Promise<void>>();

/** In this process, callers of the same key run one after the other (each after the previous settled). */
export async function serialLocally<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = local.get(key) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  const tail = previous.then(() => mine);
  local.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    done();
    if (local.get(key) === tail) local.delete(key);
  }
}

/** Runs `fn` holding `key` (waits for another holder, up to 40 s). */
export function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  return serialLocally(key, async () => {
    const started = Date.now();
    let release = await tryLock(key);
    while (!release) {
      if (Date.now() - started > WAIT_LIMIT_MS) throw new LockTimeoutError(`lock ${key} still held after ${WAIT_LIMIT_MS} ms`);
      await new Promise((r) => setTimeout(r, WAIT_STEP_MS + Math.floor(Math.random() * WAIT_STEP_MS)));
      release = await tryLock(key);
    }
    try {
      return await fn();
    } finally {
      await release();
    }
  });
}

/**
 * Deletes locks left behind by crashed holders (all of them are long free by then): those taken more
 * than `maxAgeMs` ago. By wall time, as locks are stamped (every process must
 * agree on it): not by an injected clock, which may run ahead of the stamps and drop held locks.
 */
export async function pruneLocks(maxAgeMs: number): Promise<number> {
  const res = await Lock.deleteMany({ createdAt: { $lt: new Date(Date.now() - maxAgeMs) } });
  return res.deletedCount ?? 0;
}
