import { Types } from "mongoose";
import { MessageRef, messageRefWrites } from "../db/models/message-ref";
import { ReadCache } from "../lib/read-cache";
import { isDuplicateKeyError } from "../db/errors";
import type { MessageRefDoc } from "../db/models/message-ref";

export type MessageRefKind = "card" | "media" | "prompt" | "relay" | "notice" | MemberPromptKind;

/**
 * The bot's questions a member answers with their next message: the answer to an officer (Jawab),
 * the reason a finished request is not solved (*Belum*), a rating's comment. One open at a time
 * counts: the newest.
 */
export const MEMBER_PROMPT_KINDS = ["answer_prompt", "reopen_prompt", "comment_prompt"] as const;
export type MemberPromptKind = (typeof MEMBER_PROMPT_KINDS)[number];

export interface MessageRefView {
  id: string;
  chatId: number;
  messageId: number;
  requestId: string;
  kind: MessageRefKind;
  promptId: string | null;
  usedAt: Date | null;
  createdAt: Date;
}

function toView(doc: MessageRefDoc): MessageRefView {
  return {
    id: String(doc._id),
    chatId: doc.chatId,
    messageId: doc.messageId,
    requestId: String(doc.requestId),
    kind: doc.kind,
    promptId: doc.promptId ? String(doc.promptId) : null,
    usedAt: doc.usedAt ?? null,
    createdAt: doc.createdAt,
  };
}

/** Remembers what a message the bot sent is about (idempotent). */
export async function recordMessageRef(ref: { chatId: number; messageId: number; requestId: string; kind: MessageRefKind; promptId?: string | null }): Promise<void> {
  try {
    await MessageRef.create({
      chatId: ref.chatId,
      messageId: ref.messageId,
      requestId: new Types.ObjectId(ref.requestId),
      kind: ref.kind,
      promptId: ref.promptId ? new Types.ObjectId(ref.promptId) : null,
    });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}

/** What the message `messageId` in `chatId` (one the bot sent) is about, if anything. */
export async function findMessageRef(chatId: number, messageId: number): Promise<MessageRefView | null> {
  const doc = await MessageRef.findOne({ chatId, messageId }).lean();
  return doc ? toView(doc) : null;
}

/**
 * A member's latest open answer prompt is asked on every message the member sends outside a
 * dialogue, and is almost always "none": kept per chat until any message ref is written.
 */
const openPrompts = new ReadCache<number, MessageRefView | null>({ max: 10_000, ttlMs: 5 * 60_000, version: () => messageRefWrites.version });

/**
 * The member's latest unanswered prompt since `since` (any of MEMBER_PROMPT_KINDS: "write your
 * answer", the reason for *Belum*, a rating's comment), for an answer sent without replying.
 */
export async function latestOpenAnswerPrompt(chatId: number, since: Date): Promise<MessageRefView | null> {
  let hit = openPrompts.get(chatId);
  if (!hit || (hit.value && hit.value.createdAt < since)) {
    const stamp = openPrompts.stamp();
    const doc = await MessageRef.findOne({ chatId, kind: { $in: [...MEMBER_PROMPT_KINDS] }, usedAt: null, createdAt: { $gte: since } })
      .sort({ createdAt: -1 })
      .lean();
    hit = { value: doc ? toView(doc) : null };
    openPrompts.set(chatId, hit.value, stamp);
  }
  return hit.value && { ...hit.value };
}

/**
 * A member answered (any request, by any way): every open answer prompt of the chat is spent, also
 * those of other requests, so a later loose message never lands on a request the member has left.
 * (Only that chat's handler writes them.)
 */
export async function markAnswerPromptsUsed(chatId: number, at: Date): Promise<void> {
  await MessageRef.updateMany({ chatId, kind: { $in: [...MEMBER_PROMPT_KINDS] }, usedAt: null }, { $set: { usedAt: at } });
}
