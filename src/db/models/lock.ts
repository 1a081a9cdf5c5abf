import { Schema, model } from "mongoose";

/**
 * Short-lived locks. FerretDB v1 loses concurrent updates to one document (measured: 30 parallel
 * $push kept 7), but its unique _id index is atomic, so a lock is taken by inserting a document and
 * given back by deleting it (see domain/locks.ts). `createdAt` lets stale ones be pruned.
 */
const lockSchema = new Schema(
  {
    _id: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
lockSchema.index({ createdAt: 1 });

export const Lock = model("Lock", lockSchema);
