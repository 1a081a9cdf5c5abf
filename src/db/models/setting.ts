import { Schema, model } from "mongoose";

/** Settings changed from the bot (e.g. the officers' group linked with /sambungkan), one document per key. */
const settingSchema = new Schema(
  {
    _id: { type: String, required: true },
    value: { type: Schema.Types.Mixed },
    updatedBy: { type: Number, default: null },
  },
  { timestamps: { createdAt: false, updatedAt: true }, versionKey: false },
);

export const Setting = model("Setting", settingSchema);
