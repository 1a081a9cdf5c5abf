/**
 * What the staff features share: who the sender is as staff, whether a chat is the officers' group,
 * how to answer there, and what of a message can be relayed.
 */
import type { Message, User } from "grammy/types";
import type { BotContext } from "./context";
import { getOfficerGroupId } from "../domain/settings";
import { refreshOfficerName, staffRole } from "../domain/officers";
import type { Actor, RelayContent } from "../domain/workflow";
import { queueGroupNotice } from "../telegram/notices";

export function fullName(u: Pick<User, "first_name" | "last_name">): string {
  return [u.first_name, u.last_name].filter(Boolean).join(" ").slice(0, 100);
}

/** The sender as officer or admin, or null. Officers' names follow their Telegram profile. */
export async function actorOf(ctx: BotContext): Promise<Actor | null> {
  if (!ctx.from || ctx.from.is_bot) return null;
  const role = await staffRole(ctx.from.id, ctx.config.adminIds);
  if (!role) return null;
  const name = fullName(ctx.from);
  if (role === "officer") await refreshOfficerName(ctx.from.id, name, ctx.from.username);
  return { telegramId: ctx.from.id, role, name };
}

/** Whether the update comes from the officers' group. */
export async function isOfficerGroup(ctx: BotContext): Promise<boolean> {
  const id = await getOfficerGroupId(ctx.config.officerGroupId);
  return id !== undefined && ctx.chat?.id === id;
}

/** In the officers' group: through the outbox (the group's budget); elsewhere: a direct reply. */
export async function sayToStaff(ctx: BotContext, text: string, now: Date): Promise<void> {
  if (await isOfficerGroup(ctx)) await queueGroupNotice(text, { replyTo: ctx.msg?.message_id }, now);
  else await ctx.reply(text, ctx.msg ? { reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true } } : {});
}

/** What an officer's message carries that can be relayed: text, a photo or a voice note. */
export function relayContent(msg: Message): RelayContent | "wrong_kind" {
  if (msg.text !== undefined) return { text: msg.text };
  if (msg.photo?.length) {
    const best = msg.photo[msg.photo.length - 1];
    return { photo: { fileId: best.file_id, fileUniqueId: best.file_unique_id }, ...(msg.caption ? { text: msg.caption } : {}) };
  }
  if (msg.voice)
    return { voice: { fileId: msg.voice.file_id, fileUniqueId: msg.voice.file_unique_id, duration: msg.voice.duration }, ...(msg.caption ? { text: msg.caption } : {}) };
  return "wrong_kind";
}
