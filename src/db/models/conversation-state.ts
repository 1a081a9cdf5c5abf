import { Schema, model } from "mongoose";

/**
 * The conversations plugin's replay state, one document per chat. Kept as a JSON string:
 * the state holds recorded Bot API results with inline keyboards (nested arrays), which must
 * round-trip exactly and which FerretDB v1 cannot store as BSON.
 */
const conversationStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    data: { type: String, required: true },
    /** The last updates applied to this state: a re-delivered one is recognised (bot/conversation-storage.ts). */
    updates: { type: [Number], default: undefined },
    /** The message id of the latest "leave this dialogue?" question: only its buttons count (middlewares/dialogue-guard.ts). */
    leaveQuestion: { type: Number },
    /** Counts the writes: each write names the revision it was computed from (several processes, bot/conversation-storage.ts). */
    rev: { type: Number },
  },
  // updatedAt: when the dialogue last took an update; set by the store itself (Date.now(), the
  // clock the dialogues use), read by the idle check and the purge (domain/dialogue-states.ts).
  { timestamps: { createdAt: false, updatedAt: true }, versionKey: false },
);

export const ConversationState = model("ConversationState", conversationStateSchema);
