import type { Schema } from "mongoose";
import { bumpStamp, registerShared } from "./shared-stamps";

const QUERY_WRITES = /^(updateOne|updateMany|replaceOne|findOneAndUpdate|findOneAndReplace|findOneAndDelete|deleteOne|deleteMany)$/;

/** How many times one write through a watched model invalidates its key: its pre and its post hook. */
export const WATCHED_WRITE_INVALIDATIONS = 2;

export interface WriteWatch {
  /** Changes before and after every write made through mongoose on the watched model whose key is not known. */
  readonly version: number;
  /**
   * Called before and after a write whose documents are known by `key` (the filter names it, or the
   * saved document has it): only those entries of a cache need to go.
   */
  onKeyedWrite(listener: (key: unknown) => void): void;
}

/**
 * Counts the writes to a model so read caches can tell their entries may be stale. Bumped before
 * the write (a read racing with it is not cached) and after it (what was cached meanwhile is
 * dropped). With `key` (a field with a unique value, like telegramId), a write whose filter or
 * saved document names that field reports the key instead, so the cache drops just that entry.
 * Writes through the raw driver (`Model.collection`) are not seen: don't use it for watched models.
 */
/**
 * A query option naming the key of the one document a write by `_id` changes (e.g. the member's
 * telegramId), so the caches drop that entry only: `Model.updateOne({ _id }, …, { [WATCH_KEY]: key })`.
 * Not sent to the server (the driver builds its commands from the options it knows).
 */
export const WATCH_KEY = "watchKey";

export function watchWrites(schema: Schema, options: { key?: string; shared?: string } = {}): WriteWatch {
  const listeners: ((key: unknown) => void)[] = [];
  const watch = {
    version: 0,
    onKeyedWrite(listener: (key: unknown) => void) {
      listeners.push(listener);
    },
  };
  const bump = () => {
    watch.version++;
  };
  const keyed = (value: unknown): boolean => {
    if (!options.key || (typeof value !== "number" && typeof value !== "string")) return false;
    for (const l of listeners) l(value);
    return true;
  };
  const field = options.key;
  function onQuery(this: { getFilter(): Record<string, unknown>; getUpdate?(): unknown; getOptions?(): Record<string, unknown> }) {
    const update = this.getUpdate?.() as Record<string, Record<string, unknown> | undefined> | undefined;
    // A write that changes the key itself touches two entries: treat it as unknown.
    const movesKey = field !== undefined && update && (field in update || field in (update.$set ?? {}) || field in (update.$unset ?? {}));
    // A write by _id can name its key in the options (WATCH_KEY): its filter stays `_id` alone.
    const key = this.getFilter()[field ?? ""] ?? this.getOptions?.()[WATCH_KEY];
    if (field === undefined || movesKey || !keyed(key)) bump();
  }
  function onSave(this: Record<string, unknown> & { isNew?: boolean; isModified?(path: string): boolean }) {
    const movesKey = field !== undefined && !this.isNew && this.isModified?.(field);
    if (field === undefined || movesKey || !keyed(this[field])) bump();
  }
  schema.pre(QUERY_WRITES, onQuery);
  schema.post(QUERY_WRITES, onQuery);
  // Document and model middleware need their names spelled out (a RegExp only reaches query middleware).
  schema.pre("save", onSave);
  schema.post("save", onSave);
  schema.pre("insertMany", bump);
  schema.post("insertMany", bump);
  schema.pre("bulkWrite", bump);
  schema.post("bulkWrite", bump);
  if (options.shared) {
    // Other processes on the database drop their caches of this collection (db/shared-stamps.ts).
    const name = options.shared;
    registerShared(name, bump);
    // Not thrown: the write itself succeeded. Missed, it is seen elsewhere at the next write or the cache's time limit.
    const tell = () => bumpStamp(name).catch(() => undefined);
    schema.post(QUERY_WRITES, tell);
    schema.post("save", tell);
    schema.post("insertMany", tell);
    schema.post("bulkWrite", tell);
  }
  return watch;
}
