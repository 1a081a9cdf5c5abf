import { Schema, model } from "mongoose";

/**
 * One counter per watched collection (members, officers, sentras, message refs), increased by every
 * process after each of its writes there. Other processes poll these few documents and drop their
 * read caches of a collection whose counter moved (db/shared-stamps.ts): how several processes on
 * one database see each other's changes within seconds, without change streams.
 */
const cacheStampSchema = new Schema(
  {
    _id: { type: String, required: true },
    v: { type: Number, required: true, default: 0 },
  },
  { versionKey: false },
);

export const CacheStamp = model("CacheStamp", cacheStampSchema);
