/**
 * Which messenger a member's outbox item goes on (domain/outbox.ts enqueue): the one the member last
 * wrote on (`members.channel`); a member who registered on WhatsApp has no Telegram chat at all.
 */
import { Member } from "../db/models/member";
import { isWhatsAppOnlyKey } from "./member-keys";

export type OutboxChannel = "telegram" | "whatsapp";

/** Items that reach a member about their request or a program: they go on the messenger the member last wrote on. */
export const MEMBER_KINDS: ReadonlySet<string> = new Set(["member", "member_relay", "member_ack", "program"]);

/** The members (by chat) among `chats` whose updates go to WhatsApp: one read, none when no member item is queued. */
export async function whatsappChats(chats: number[]): Promise<Set<number>> {
  const out = new Set(chats.filter(isWhatsAppOnlyKey));
  const asked = [...new Set(chats.filter((c) => !out.has(c)))];
  if (asked.length === 0) return out;
  const docs = await Member.find({ telegramId: { $in: asked }, channel: "whatsapp" }, { telegramId: 1 }).lean();
  for (const d of docs) if (typeof d.telegramId === "number") out.add(d.telegramId);
  return out;
}

/** A member's item goes where they last wrote; anything for a WhatsApp-only member goes there (they have no Telegram chat). */
export function itemChannel(kind: string, chat: number | "group", toWhatsApp: ReadonlySet<number>): OutboxChannel {
  if (chat === "group") return "telegram";
  return (MEMBER_KINDS.has(kind) && toWhatsApp.has(chat)) || isWhatsAppOnlyKey(chat) ? "whatsapp" : "telegram";
}
