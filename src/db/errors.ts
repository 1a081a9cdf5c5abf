/** The one place that knows MongoDB's "duplicate key" code (a unique index already holds the value). */
export const DUPLICATE_KEY = 11000;

/** A write refused because a unique index already holds the value. */
export function isDuplicateKeyError(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === DUPLICATE_KEY;
}

/** One refused document of a bulk write (insertMany): its index in the batch and why. */
export interface BulkWriteFailure {
  index: number | undefined;
  duplicate: boolean;
}

/** The refused documents of a failed bulk write (null: the error is not a bulk write's). */
export function bulkWriteFailures(err: unknown): BulkWriteFailure[] | null {
  const writeErrors = (err as { writeErrors?: { index?: number; code?: number; err?: { index?: number; code?: number } }[] } | null)?.writeErrors;
  if (!writeErrors?.length) return null;
  return writeErrors.map((e) => ({ index: e.index ?? e.err?.index, duplicate: (e.code ?? e.err?.code) === DUPLICATE_KEY }));
}
