import { Schema, model } from "mongoose";

/**
 * A message a member sent on WhatsApp, stored before Meta's webhook is answered (whatsapp/inbound.ts):
 * `_id` is Meta's message id (`wamid`), so a webhook delivered again stores nothing twice. Handled
 * from here, in the order received, also after a crash (`status` "new" or a lease that ran out).
 * Who sent it: the number (`from`) and/or the business-scoped user id (`userId`), both kept.
 */
const whatsAppInboundSchema = new Schema(
  {
    _id: { type: String, required: true },
    from: { type: String, default: null },
    userId: { type: String, default: null },
    name: { type: String, default: null },
    /** The wamid of our message the member quoted (a reply to an officer's question or message). */
    replyTo: { type: String, default: null },
    /** One sender's messages are handled one after the other: the number, else `u:<userId>`. */
    sender: { type: String, required: true },
    /** When the member sent it (Meta's timestamp). */
    at: { type: Date, required: true },
    receivedAt: { type: Date, required: true },
    /** The message as parsed (whatsapp/webhook.ts), as JSON. */
    content: { type: String, required: true },
    status: { type: String, enum: ["new", "handling", "done", "failed"], default: "new" },
    attempts: { type: Number, default: 0 },
    leaseUntil: { type: Date, default: null },
    handledAt: { type: Date, default: null },
    lastError: { type: String, default: null },
  },
  { versionKey: false },
);
whatsAppInboundSchema.index({ status: 1, receivedAt: 1 });
whatsAppInboundSchema.index({ sender: 1, receivedAt: 1 });

export const WhatsAppInbound = model("WhatsAppInbound", whatsAppInboundSchema, "whatsappinbound");
