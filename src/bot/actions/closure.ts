/**
 * The member's answers to a finished request that more than one feature takes in: the reason after
 * *Belum* and the rating's comment (closureInput, from features/member-answers.ts), and the refusals
 * and edits the closure buttons (features/closure.ts) share.
 */
import { changeBasis } from "../change-basis";
import { isMessageNotModified } from "../../telegram/errors";
import type { Message } from "grammy/types";
import type { BotContext } from "../context";
import { CLOSURE_TEXT_MAX, commentOnRating, reopenByMember, type ClosureRefusal } from "../../domain/closure";
import { markAnswerPromptsUsed, type MessageRefView } from "../../domain/message-refs";
import { relayContent } from "../staff";
import { closureRefusalText } from "../../telegram/closure-messages";

/** Prompts whose answer is handled here (the rest of the member prompts are answers to officers). */
export function isClosurePrompt(kind: MessageRefView["kind"]): boolean {
  return kind === "reopen_prompt" || kind === "comment_prompt";
}

/** Edits the pressed message; a double tap ("message is not modified") is no failure. */
export async function editPressed(ctx: BotContext, text: string, reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] }): Promise<void> {
  try {
    await ctx.editMessageText(text, reply_markup ? { reply_markup } : {});
  } catch (err) {
    if (!isMessageNotModified(err)) throw err;
  }
}

/** Why a button or an answer is refused, as the member reads it (closure-messages.ts, shared with WhatsApp). */
export function refusalText(ctx: BotContext, res: ClosureRefusal): string {
  return closureRefusalText(ctx.t, res);
}

export async function refuseButton(ctx: BotContext, res: ClosureRefusal): Promise<void> {
  if (res.reason === "not_found") ctx.logger.warn({ data: ctx.callbackQuery?.data }, "closure button for a request that is not the sender's");
  await ctx.answerCallbackQuery({ text: refusalText(ctx, res), show_alert: true });
}

/**
 * The member's message after *Belum* (the reason: text or a voice note) or after the stars (the
 * comment: text), found by the prompt it answers (`ref`).
 */
export async function closureInput(ctx: BotContext, ref: MessageRefView, msg: Message, now: Date): Promise<void> {
  const source = { chatId: msg.chat.id, messageId: msg.message_id };
  const content = relayContent(msg);
  const reason = ref.kind === "reopen_prompt";
  // A reason is typed or spoken; a comment is typed (photos, stickers, files: said so, nothing changes).
  if (content === "wrong_kind" || content.photo || (!reason && content.voice)) {
    return void (await ctx.reply(ctx.t(reason ? "closure.reason_wrong_kind" : "closure.comment_wrong_kind")));
  }
  const text = content.text?.trim() ?? "";
  if (!content.voice && !text) return void (await ctx.reply(ctx.t("dialog.empty_text")));
  if (text.length > CLOSURE_TEXT_MAX) return void (await ctx.reply(ctx.t("dialog.too_long", { max: CLOSURE_TEXT_MAX, count: text.length })));
  const from = ctx.from!.id;
  const res = reason
    ? await reopenByMember(ref.requestId, from, { ...(text ? { text } : {}), ...(content.voice ? { voice: content.voice } : {}) }, source, changeBasis(ctx, now))
    : await commentOnRating(ref.requestId, from, text, source, changeBasis(ctx, now));
  if (!res.ok) {
    if (res.reason === "not_found") ctx.logger.warn({ kind: ref.kind }, "closure answer for a request that is not the sender's");
    return void (await ctx.reply(refusalText(ctx, res)));
  }
  await markAnswerPromptsUsed(msg.chat.id, now);
  // Reopened: the acknowledgement follows through the outbox, after the reason is on its way to the officers.
  if (!reason) await ctx.reply(ctx.t("closure.thanks"));
}
