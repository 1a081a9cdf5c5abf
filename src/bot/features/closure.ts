/**
 * The member's answer to a finished request (domain/closure.ts): the *Sudah* / *Belum* buttons under
 * the question sent after *Selesai*, the stars, *Lewati*, and the member's next message when the bot
 * asked for a reason (*Belum*) or a comment. Installed before the dialogues (like the Jawab button),
 * so the buttons work in the middle of a dialogue too. Who pressed or wrote is taken from the update
 * and checked against the request's member in the domain: a forged or stale button changes nothing
 * and is answered in plain words.
 */
import { editPressed, refuseButton } from "../actions/closure";
import { changeBasis } from "../change-basis";
import { Composer } from "grammy";
import { typeWords } from "../../i18n";
import type { BotContext } from "../context";
import { CLOSURE_BUTTON } from "../../telegram/callback-data";
import { skipCommentKeyboard, starsKeyboard } from "../../telegram/closure-messages";
import { starsOf } from "../../telegram/closure-card";
import { confirmResolved, memberClosureRequest, rateRequest } from "../../domain/closure";
import { markAnswerPromptsUsed, recordMessageRef } from "../../domain/message-refs";
import { TELEGRAM_PLACEHOLDER_MAX } from "../../lib/limits";
import type { Clock } from "../../lib/clock";
import { isOwnPrivateChat } from "../staff";

export interface ClosureDeps {
  clock: Clock;
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
