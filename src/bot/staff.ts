/**
 * What the staff features share: who the sender is as staff, whether a chat is the officers' group,
 * how to answer there, and what of a message can be relayed.
 */
import type { Message, User } from "grammy/types";
import type { BotContext } from "./context";
import { getOfficerGroupId } from "../domain/settings";
import { refreshOfficerName, staffRole, type StaffRole } from "../domain/officers";
import { STAFF_LOCALE } from "../domain/officer-actions";
import { tFor } from "../i18n";
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

/**
 * Whether the update comes from the officers' group. A group that is not the cached one is checked
 * against the database before saying no: another process may have linked it a moment ago.
 */
export async function isOfficerGroup(ctx: BotContext): Promise<boolean> {
  const chat = ctx.chat;
  if (!chat || chat.type === "private" || chat.type === "channel") return false;
  if ((await getOfficerGroupId(ctx.config.officerGroupId)) === chat.id) return true;
  return (await getOfficerGroupId(ctx.config.officerGroupId, { fresh: true })) === chat.id;
}

/*
 * Who may press what (docs/ARCHITECTURE.md): staff commands and buttons act only in the officers'
 * group or in the staff member's own private chat; a member's buttons only in the member's own
 * private chat. The chat of a button is the chat of the message it is on (ctx.chat), never its data.
 */

/** The sender's own private chat with the bot. */
export function isOwnPrivateChat(ctx: BotContext): boolean {
  return ctx.chat?.type === "private" && ctx.from !== undefined && ctx.chat.id === ctx.from.id;
}

/** Where staff commands and buttons act: the officers' group, or the sender's own private chat. */
export async function isStaffPlace(ctx: BotContext): Promise<boolean> {
  return isOwnPrivateChat(ctx) || (await isOfficerGroup(ctx));
}

/**
 * A staff member's command or button outside the staff places: nothing happens, and they are told
 * why and what to do (no name, no request detail). Anyone else's is only logged.
 */
export async function refuseStaffPlace(ctx: BotContext, role: StaffRole | null, what: string): Promise<void> {
  ctx.logger.warn({ command: what, chat_type: ctx.chat?.type, data: ctx.callbackQuery?.data }, "officer command ignored: not the officers' group");
  if (!role) {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery();
    return;
  }
  const t = tFor(STAFF_LOCALE);
  if (ctx.callbackQuery) return void (await ctx.answerCallbackQuery({ text: t("officer.place.button"), show_alert: true }));
  const text = t(role === "admin" ? "officer.place.admin" : "officer.place.officer");
  await ctx.reply(text, ctx.msg ? { reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true } } : {});
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
