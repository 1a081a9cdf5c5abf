import type { Schema } from "mongoose";

const QUERY_WRITES = /^(updateOne|updateMany|replaceOne|findOneAndUpdate|findOneAndReplace|findOneAndDelete|deleteOne|deleteMany)$/;

export interface WriteWatch {
  /** Changes before and after every write made through mongoose on the watched model. */
  readonly version: number;
}

/**
 * Counts the writes to a model so read caches can tell their entries may be stale. Bumped before
 * the write (a read racing with it is not cached) and after it (what was cached meanwhile is
 * dropped). Writes through the raw driver (`Model.collection`) are not seen: don't use it for
 * watched models.
 */
export function watchWrites(schema: Schema): WriteWatch {
  const watch = { version: 0 };
  const bump = () => {
    watch.version++;
  };
  schema.pre(QUERY_WRITES, bump);
  schema.post(QUERY_WRITES, bump);
  // Document and model middleware need their names spelled out (a RegExp only reaches query middleware).
  schema.pre("save", bump);
  schema.post("save", bump);
  schema.pre("insertMany", bump);
  schema.post("insertMany", bump);
  schema.pre("bulkWrite", bump);
  schema.post("bulkWrite", bump);
  return watch;
}
