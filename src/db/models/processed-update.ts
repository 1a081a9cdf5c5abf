import { Schema, model } from "mongoose";

/**
 * Telegram update ids already taken in, so a re-delivered update is processed once. `_id` is the
 * update id: the insert itself is the check (one round trip; a duplicate fails on the _id index).
 * The index on `expireAt` is created by domain/processed-updates.ts, not declared here: a TTL index
 * where the server has them, a plain one on FerretDB (which rejects the TTL option).
 */
const processedUpdateSchema = new Schema(
  {
    _id: { type: Number, required: true },
    expireAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const ProcessedUpdate = model("ProcessedUpdate", processedUpdateSchema);
