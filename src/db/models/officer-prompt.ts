import { Schema, model, type InferSchemaType, Types } from "mongoose";

/**
 * An officer pressed Minta info, Selesai, Tolak or Pesan ke anggota: the bot asked for the question,
 * the note, the reason or the message, and waits for the officer's reply to that prompt until `expiresAt`.
 */
const officerPromptSchema = new Schema(
  {
    requestId: { type: Schema.Types.ObjectId, ref: "Request", required: true },
    officerTelegramId: { type: Number, required: true },
    action: { type: String, enum: ["info", "done", "reject", "message"], required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

export type OfficerPromptDoc = InferSchemaType<typeof officerPromptSchema> & { _id: Types.ObjectId; createdAt: Date };
export const OfficerPrompt = model("OfficerPrompt", officerPromptSchema);
