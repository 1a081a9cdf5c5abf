import { ProcessedUpdate } from "../db/models/processed-update";
import { isDuplicateKeyError } from "../db/errors";

/**
 * Telegram keeps an undelivered update for at most 24 hours, so a duplicate can only arrive within
 * that time; an hour more covers clock differences.
 */
export const PROCESSED_UPDATE_TTL_MS = 25 * 60 * 60 * 1000;

/**
 * Records that an update is being taken in. Returns false when it was taken in before (a
 * re-delivery). One insert, one round trip. Recorded before processing: an update that was being
 * processed when the process died is not processed again (a dialogue would otherwise take the same
 * answer twice); the member sees no answer and sends it again.
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
