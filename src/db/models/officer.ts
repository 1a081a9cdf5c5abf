import { Schema, model, type InferSchemaType, Types } from "mongoose";
import { REQUEST_TYPES } from "../../vocabulary/request-types";
import { KECAMATAN } from "../../vocabulary/kecamatan";
import { watchWrites } from "../write-watch";

/**
 * A Diskop officer. What they handle (request types and/or kecamatan) are the routing rules: a new
 * request is routed to the officer whose rules fit it best. Removing an officer only deactivates
 * them, so old cards and timelines still have a name to show.
 */
const officerSchema = new Schema(
  {
    telegramId: { type: Number, required: true, unique: true },
    name: { type: String, required: true, maxlength: 100 },
    username: { type: String, maxlength: 64 },
    types: { type: [{ type: String, enum: REQUEST_TYPES }], default: [] },
    kecamatan: { type: [{ type: String, enum: KECAMATAN }], default: [] },
    active: { type: Boolean, default: true },
    addedBy: { type: Number, required: true },
  },
  { timestamps: true },
);
officerSchema.index({ active: 1 });

/** Seen by the officers cache (domain/officers.ts): any write through mongoose invalidates it. */
export const officerWrites = watchWrites(officerSchema, { shared: "officers" });

export type OfficerDoc = InferSchemaType<typeof officerSchema> & { _id: Types.ObjectId };
export const Officer = model("Officer", officerSchema);
