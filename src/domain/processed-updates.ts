import { ProcessedUpdate } from "../db/models/processed-update";
import { isDuplicateKeyError } from "../db/errors";
import { originalName } from "../db/availability";

/**
 * Telegram keeps an undelivered update for at most 24 hours, so a duplicate can only arrive within
 * that time; an hour more covers clock differences.
 */
export const PROCESSED_UPDATE_TTL_MS = 25 * 60 * 60 * 1000;

/**
 * Records that an update is being taken in. Returns false when it was taken in before (a
 * re-delivery). One insert, one round trip. Made right before the update's first write outside its
 * dialogue state (bot/middlewares/idempotency.ts): an update that was being processed when the
 * process died after that point is not processed again (its effects would otherwise be doubled);
 * one that died before it had written nothing, so taking it again is harmless.
 */
export async function claimUpdate(updateId: number, now: Date): Promise<boolean> {
  try {
    await ProcessedUpdate.collection.insertOne({ _id: updateId, expireAt: new Date(now.getTime() + PROCESSED_UPDATE_TTL_MS) } as never);
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

/**
 * Thrown by the first write of an update that turns out to be a re-delivery of one whose effects
 * were already written: its handling stops there, before anything is doubled.
 */
export class DuplicateUpdateError extends Error {
  constructor(readonly updateId: number) {
    super(`update ${updateId} was handled before`);
  }
}
// On the prototype, so the stack (written by the constructor) starts with the name: a dialogue's
// `external` hands back a clone that has only the stack to tell.
DuplicateUpdateError.prototype.name = "DuplicateUpdateError";

/** Whether an error is (or wraps, or is the structured clone a dialogue's `external` makes of) a DuplicateUpdateError. */
export function isDuplicateUpdate(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    if (originalName(e) === "DuplicateUpdateError") return true;
    e = (e as { error?: unknown }).error ?? (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Whether an update was claimed (a read: for a copy about to say something before its first write). */
export async function isClaimed(updateId: number): Promise<boolean> {
  return (await ProcessedUpdate.collection.findOne({ _id: updateId } as never, { projection: { _id: 1 } })) !== null;
}

/** Forgets a claim whose update could not be processed (the database went away): a re-delivery is then taken in. */
export async function releaseUpdate(updateId: number): Promise<void> {
  await ProcessedUpdate.collection.deleteOne({ _id: updateId } as never);
}

/** Deletes expired update ids (FerretDB does not enforce TTL indexes). Returns how many went. */
export async function purgeExpiredUpdates(now: Date): Promise<number> {
  const res = await ProcessedUpdate.deleteMany({ expireAt: { $lte: now } });
  return res.deletedCount;
}

/**
 * Lets MongoDB expire the ids itself (TTL index). Where the server has no TTL indexes (FerretDB v1
 * answers "not implemented") a plain index serves purgeExpiredUpdates instead.
 */
export async function ensureProcessedUpdateIndex(): Promise<"ttl" | "plain"> {
  try {
    await ProcessedUpdate.collection.createIndex({ expireAt: 1 }, { expireAfterSeconds: 0 });
    return "ttl";
  } catch (err) {
    if (!/expireAfterSeconds|not implemented/i.test(String((err as Error).message))) throw err;
    await ProcessedUpdate.collection.createIndex({ expireAt: 1 });
    return "plain";
  }
}
