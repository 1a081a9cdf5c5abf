import { Schema, model } from "mongoose";

/**
 * Meta's status webhooks for the messages the bot sent on WhatsApp (sent, delivered, read, failed),
 * one document per message and status: a webhook delivered again changes nothing. A `failed` one
 * carries Meta's errors (`failures`: code, title, details) for the officers' card.
 */
const whatsAppStatusSchema = new Schema(
  {
    /** `<wamid>:<status>`. */
    _id: { type: String, required: true },
    wamid: { type: String, required: true },
    status: { type: String, enum: ["sent", "delivered", "read", "failed"], required: true },
    at: { type: Date, required: true },
    failures: { type: [{ code: Number, title: String, details: String, _id: false }], default: [] },
    /** A `failed` one shown on its request's card (whatsapp/dispatcher.ts); unset until then. */
    handledAt: { type: Date, default: undefined },
  },
  { versionKey: false },
);
whatsAppStatusSchema.index({ wamid: 1 });
whatsAppStatusSchema.index({ status: 1, handledAt: 1 });

export const WhatsAppStatus = model("WhatsAppStatus", whatsAppStatusSchema, "whatsappstatuses");
