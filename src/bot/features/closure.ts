/**
 * The member's answer to a finished request (domain/closure.ts): the *Sudah* / *Belum* buttons under
 * the question sent after *Selesai*, the stars, *Lewati*, and the member's next message when the bot
 * asked for a reason (*Belum*) or a comment. Installed before the dialogues (like the Jawab button),
 * so the buttons work in the middle of a dialogue too. Who pressed or wrote is taken from the update
 * and checked against the request's member in the domain: a forged or stale button changes nothing
 * and is answered in plain words.
 */
import { changeBasis } from "../change-basis";
import { Composer } from "grammy";
import { typeWords } from "../../i18n";
import { isMessageNotModified } from "../../telegram/errors";
import type { Message } from "grammy/types";
import type { BotContext } from "../context";
import { CLOSURE_BUTTON } from "../../telegram/callback-data";
import { skipCommentKeyboard, starsKeyboard } from "../../telegram/closure-messages";
import { starsOf } from "../../telegram/closure-card";
import { CLOSURE_TEXT_MAX, commentOnRating, confirmResolved, memberClosureRequest, rateRequest, reopenByMember, type ClosureRefusal } from "../../domain/closure";
import { markAnswerPromptsUsed, recordMessageRef, type MessageRefView } from "../../domain/message-refs";
import type { RequestView } from "../../domain/requests";
import { TELEGRAM_PLACEHOLDER_MAX } from "../../lib/limits";
import type { Clock } from "../../lib/clock";
import { isOwnPrivateChat, relayContent } from "../staff";

export interface ClosureDeps {
  clock: Clock;
}

/** Prompts whose answer is handled here (the rest of the member prompts are answers to officers). */
export function isClosurePrompt(kind: MessageRefView["kind"]): boolean {
  return kind === "reopen_prompt" || kind === "comment_prompt";
}

/** Edits the pressed message; a double tap ("message is not modified") is no failure. */
async function editPressed(ctx: BotContext, text: string, reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] }): Promise<void> {
  try {
    await ctx.editMessageText(text, reply_markup ? { reply_markup } : {});
  } catch (err) {
    if (!isMessageNotModified(err)) throw err;
  }
}

/** Why a button or an answer is refused, as the member reads it. */
function refusalText(ctx: BotContext, res: ClosureRefusal): string {
  const r = res.request;
  if (res.reason === "not_found" || !r) return ctx.t("closure.not_yours");
  if (res.reason === "already_rated" || res.reason === "already_commented") return ctx.t("closure.already_rated");
  return notWaitingText(ctx, r);
}

function notWaitingText(ctx: BotContext, r: RequestView): string {
  const words = { ...typeWords(ctx.t, r.type), code: r.code };
  if (r.confirmation === "reopened" && r.status !== "selesai") return ctx.t("closure.already_reopened", words);
  if (r.confirmation === "closed_silently") return ctx.t("closure.already_closed", words);
  return ctx.t("closure.not_waiting", { ...words, status: ctx.t(`labels.status.${r.status}`) });
}

async function refuseButton(ctx: BotContext, res: ClosureRefusal): Promise<void> {
  if (res.reason === "not_found") ctx.logger.warn({ data: ctx.callbackQuery?.data }, "closure button for a request that is not the sender's");
  await ctx.answerCallbackQuery({ text: refusalText(ctx, res), show_alert: true });
}

export function createClosureFeature(deps: ClosureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.callbackQuery(CLOSURE_BUTTON, async (ctx) => {
    const now = deps.clock();
    const [, action, requestId] = ctx.match;
    const from = ctx.from.id;
    // The member's alone, and only in their own private chat: pressed anywhere else (an officer on a
    // forged button in the group, even one who is the request's member) it changes and shows nothing.
    if (!isOwnPrivateChat(ctx)) {
      ctx.logger.warn({ data: ctx.callbackQuery.data, chat_type: ctx.chat?.type }, "closure button outside the member's private chat");
      return void (await ctx.answerCallbackQuery({ text: ctx.t("closure.not_yours"), show_alert: true }));
    }

    if (action === "y") {
      const res = await confirmResolved(requestId, from, changeBasis(ctx, now));
      if (!res.ok) return refuseButton(ctx, res);
      if (res.request.rating) return void (await ctx.answerCallbackQuery({ text: ctx.t("closure.already_rated"), show_alert: true }));
      await ctx.answerCallbackQuery();
      return editPressed(ctx, ctx.t("closure.ask_rating", { ...typeWords(ctx.t, res.request.type), code: res.request.code }), starsKeyboard(ctx.t, requestId));
    }

    if (action === "n") {
      const r = await memberClosureRequest(requestId, from);
      if (!r) return refuseButton(ctx, { ok: false, reason: "not_found" });
      if (r.status !== "selesai" || r.confirmation !== "waiting") return refuseButton(ctx, { ok: false, reason: "not_waiting", request: r });
      await ctx.answerCallbackQuery();
      // The question keeps its buttons: the request reopens only with the reason (a second press asks again).
      const prompt = await ctx.reply(ctx.t("closure.ask_reason", { ...typeWords(ctx.t, r.type), code: r.code }), {
        reply_markup: { force_reply: true, input_field_placeholder: ctx.t("closure.reason_placeholder", { code: r.code }).slice(0, TELEGRAM_PLACEHOLDER_MAX) },
      });
      await recordMessageRef({ chatId: prompt.chat.id, messageId: prompt.message_id, requestId: r.id, kind: "reopen_prompt" });
      return;
    }

    if (action === "skip") {
      const r = await memberClosureRequest(requestId, from);
      if (!r) return refuseButton(ctx, { ok: false, reason: "not_found" });
      if (!r.rating) return refuseButton(ctx, { ok: false, reason: "not_confirmed", request: r });
      if (ctx.chatId !== undefined) await markAnswerPromptsUsed(ctx.chatId, now);
      await ctx.answerCallbackQuery();
      return editPressed(ctx, ctx.t("closure.thanks"));
    }

    const stars = Number(action);
    const res = await rateRequest(requestId, from, stars, changeBasis(ctx, now));
    if (!res.ok) return refuseButton(ctx, res);
    await ctx.answerCallbackQuery();
    await editPressed(ctx, ctx.t("closure.ask_comment", { stars: starsOf(stars) }), skipCommentKeyboard(ctx.t, requestId));
    // The comment is the member's next message (or a reply to this one).
    const pressed = ctx.callbackQuery.message;
    if (pressed) await recordMessageRef({ chatId: pressed.chat.id, messageId: pressed.message_id, requestId, kind: "comment_prompt" });
  });
  return composer;
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
