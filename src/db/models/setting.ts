import { Schema, model } from "mongoose";
import { watchWrites } from "../write-watch";

/** Settings changed from the bot (e.g. the officers' group linked with /sambungkan), one document per key. */
const settingSchema = new Schema(
  {
    _id: { type: String, required: true },
    value: { type: Schema.Types.Mixed },
    updatedBy: { type: Number, default: null },
  },
  { timestamps: { createdAt: false, updatedAt: true }, versionKey: false },
);

/** Read through a cache (domain/settings.ts); other processes see a change within the stamp poll. */
export const settingWrites = watchWrites(settingSchema, { shared: "settings" });

export const Setting = model("Setting", settingSchema);
