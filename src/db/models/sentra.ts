import { Schema, model, type InferSchemaType, Types } from "mongoose";
import { KECAMATAN } from "../../vocabulary/kecamatan";
import { watchWrites } from "../write-watch";

const sentraSchema = new Schema(
  {
    slug: { type: String, required: true, unique: true, maxlength: 60 },
    name: { type: String, required: true, maxlength: 100 },
    kecamatan: { type: String, enum: KECAMATAN, required: true },
    desa: { type: String, maxlength: 100 },
    /** What its members commonly make: offered as buttons when a member registers (in this order). */
    products: { type: [{ type: String, maxlength: 40 }], default: [] },
    chairpersonTelegramId: { type: Number, default: null },
    active: { type: Boolean, default: true },
  },
  { timestamps: true },
);

/** Seen by the sentras cache (domain/sentras.ts): any write through mongoose invalidates it. */
export const sentraWrites = watchWrites(sentraSchema, { shared: "sentras" });

export type SentraDoc = InferSchemaType<typeof sentraSchema> & { _id: Types.ObjectId };
export const Sentra = model("Sentra", sentraSchema);
