import { Schema, model } from "mongoose";

/**
 * A WhatsApp sender's conversation with the bot (whatsapp/channel.ts), by the sender's key: the
 * request dialogue in progress (domain/request-machine.ts's state, as JSON), the last message
 * handled and the replies it produced, and how many of those were sent, so that a message handled
 * again after a failure (the inbox retries) sends the rest of its replies instead of advancing twice.
 */
const whatsAppSessionSchema = new Schema(
  {
    _id: { type: String, required: true },
    dialogue: { type: String, default: null },
    /** Registration in progress (domain/registration-machine.ts's state), as JSON. */
    registration: { type: String, default: null },
    /** A draft's own id: the same Kirim twice files one request. */
    draftId: { type: String, default: null },
    /** What the member's next message answers (an officer's question, the reason after Belum, the rating's comment: follow-ups.ts), as JSON. */
    awaiting: { type: String, default: null },
    handled: { type: String, default: null },
    replies: { type: String, default: "[]" },
    sent: { type: Number, default: 0 },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const WhatsAppSession = model("WhatsAppSession", whatsAppSessionSchema, "whatsappsessions");
