import { Counter } from "../db/models/counter";
import { CODE_PREFIX, type RequestType } from "../vocabulary/request-types";
import { inWita } from "../lib/time";
import { ReadCache } from "../lib/read-cache";
import { isDuplicateKeyError } from "../db/errors";

/** KMS-2611-007: type prefix, year and month in WITA, then a per-type-and-month sequence. */
export const CODE_PATTERN = new RegExp(`^(${Object.values(CODE_PREFIX).join("|")})-(\\d{4})-(\\d{3,})$`);

/** Normalises what a member types ("kms 2611 7", "kms-2611-007") to the stored form, or undefined. */
export function parseTrackingCode(input: string): string | undefined {
  const m = /^\s*([a-z]{3})[\s-]*(\d{4})[\s-]*(\d{1,6})\s*$/i.exec(input);
  if (!m) return undefined;
  const code = `${m[1].toUpperCase()}-${m[2]}-${m[3].padStart(3, "0")}`;
  return CODE_PATTERN.test(code) ? code : undefined;
}

export function formatTrackingCode(type: RequestType, now: Date, seq: number): string {
  return `${CODE_PREFIX[type]}-${inWita(now).format("YYMM")}-${String(seq).padStart(3, "0")}`;
}

export function counterKey(type: RequestType, now: Date): string {
  return `code:${CODE_PREFIX[type]}:${inWita(now).format("YYMM")}`;
}

/**
 * Where to start looking for the next free sequence number. Only a hint: FerretDB v1 does not make
 * `$inc` atomic under concurrency, so uniqueness comes from the unique index on Request.code and the
 * caller takes the next number when an insert collides (see saveRequest).
 */
export async function trackingSequenceHint(type: RequestType, now: Date, fresh = false): Promise<number> {
  const key = counterKey(type, now);
  const known = fresh ? undefined : taken.get(key);
  if (known) return known.value + 1;
  const doc = await Counter.findById(key).lean();
  return (doc?.seq ?? 0) + 1;
}

/** The last sequence number this process took, per counter: the next hint costs no read. */
const taken = new ReadCache<string, number>({ max: 100, ttlMs: 60 * 60_000 });

/** Records that `seq` is taken, so the next hint starts after it ($max never goes backwards). */
export async function recordTrackingSequence(type: RequestType, now: Date, seq: number): Promise<void> {
  try {
    const key = counterKey(type, now);
    taken.set(key, Math.max(seq, taken.get(key)?.value ?? 0));
    await Counter.updateOne({ _id: key }, { $max: { seq } }, { upsert: true });
  } catch (err) {
    // A concurrent first upsert of the month won the insert; the hint is only an optimisation.
    if (!isDuplicateKeyError(err)) throw err;
  }
}
