import { Schema, model, type InferSchemaType, Types } from "mongoose";
import { watchWrites } from "../write-watch";

/**
 * What a message the bot sent is about, so a reply to it reaches the right request: a member with
 * several open requests answers the message of one of them, an officer replies to one card.
 */
const messageRefSchema = new Schema(
  {
    chatId: { type: Number, required: true },
    messageId: { type: Number, required: true },
    requestId: { type: Schema.Types.ObjectId, ref: "Request", required: true },
    kind: { type: String, enum: ["card", "media", "prompt", "relay", "notice", "answer_prompt", "reopen_prompt", "comment_prompt"], required: true },
    promptId: { type: Schema.Types.ObjectId, default: null },
    /** Member prompts (answer, reopen reason, rating comment): when the member's answer arrived (the prompt is then spent). */
    usedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
messageRefSchema.index({ chatId: 1, messageId: 1 }, { unique: true });
messageRefSchema.index({ chatId: 1, kind: 1, createdAt: -1 });

/** Seen by the answer-prompt cache (domain/message-refs.ts): any write through mongoose invalidates it. */
export const messageRefWrites = watchWrites(messageRefSchema, { shared: "messagerefs" });

export type MessageRefDoc = InferSchemaType<typeof messageRefSchema> & { _id: Types.ObjectId; createdAt: Date };
export const MessageRef = model("MessageRef", messageRefSchema);
