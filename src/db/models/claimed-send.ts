import { Schema, model } from "mongoose";

/**
 * One message an update's handling sends, claimed before the send while several processes serve the
 * database (bot/claimed-sends.ts): a copy of the update handled by another process at the same
 * moment finds the claim, waits for `result` and sends nothing. Purged after a day (main.ts).
 */
const claimedSendSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
    /** The Bot API's `result` of the send, as JSON, once it went out. */
    result: { type: String, default: null },
  },
  { versionKey: false },
);
claimedSendSchema.index({ at: 1 });

export const ClaimedSend = model("ClaimedSend", claimedSendSchema, "claimedsends");
