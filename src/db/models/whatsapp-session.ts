import { Schema, model } from "mongoose";
import { watchWrites } from "../write-watch";

/**
 * A WhatsApp sender's conversation with the bot (whatsapp/channel.ts), by the sender's key: the
 * request dialogue in progress (domain/request-machine.ts's state, as JSON), the last message
 * handled and the replies it produced, and how many of those were sent, so that a message handled
 * again after a failure (the inbox retries) sends the rest of its replies instead of advancing twice.
 * `sent` is written when a send fails part way; after a crash between the sends and the message's
 * done mark, its replies may go again (never its effects).
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
    /** The last messages handled (wamids, newest last): one taken again after a crash is not handled twice. */
    recent: { type: [String], default: [] },
    replies: { type: String, default: "[]" },
    sent: { type: Number, default: 0 },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

/** Kept in memory while the process is alone on the database (whatsapp/channel.ts); writes drop it. */
export const whatsAppSessionWrites = watchWrites(whatsAppSessionSchema, { key: "_id" });

export const WhatsAppSession = model("WhatsAppSession", whatsAppSessionSchema, "whatsappsessions");
