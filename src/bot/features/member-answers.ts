/**
 * The member's side of the relay. An answer belongs to the request of the message it replies to
 * (a notification, an officer's message, the "write your answer" prompt of a Jawab button), so a
 * member with several open requests never has an answer land on the wrong one. Replies and Jawab
 * buttons are handled before the dialogues (`memberRelay`), so they work in the middle of another
 * dialogue too; an answer typed without replying right after pressing Jawab is caught later
 * (`createMemberAnswerFallback`), when no dialogue took the message.
 */
import { changeBasis } from "../change-basis";
import { typeWords } from "../../i18n";
import { Composer, type MiddlewareFn } from "grammy";
import type { Message } from "grammy/types";
import type { BotContext } from "../context";
import { ANSWER_BUTTON } from "../../telegram/callback-data";
import { findMessageRef, latestOpenAnswerPrompt, markAnswerPromptsUsed, recordMessageRef } from "../../domain/message-refs";
import { memberRequest, NOTE_MAX, recordMemberAnswer } from "../../domain/workflow";
import { isOpen } from "../../vocabulary/statuses";
import { relayContent } from "../staff";
import { TELEGRAM_PLACEHOLDER_MAX } from "../../lib/limits";
import { type Clock } from "../../lib/clock";
import { closureInput, isClosurePrompt } from "../actions/closure";

export interface MemberAnswerDeps {
  clock: Clock;
}

/** An answer typed without replying counts for the request of a Jawab pressed this recently. */
export const ANSWER_PROMPT_TTL_MS = 30 * 60_000;

/** Records the member's message as the answer to `requestId` and tells them what happened. */
async function answer(ctx: BotContext, requestId: string, msg: Message, now: Date): Promise<void> {
  const content = relayContent(msg);
  if (content === "wrong_kind") return void (await ctx.reply(ctx.t("officer.member.wrong_kind")));
  const text = content.text?.trim() ?? "";
  if (!content.photo && !content.voice && !text) return void (await ctx.reply(ctx.t("dialog.empty_text")));
  if (text.length > NOTE_MAX) return void (await ctx.reply(ctx.t("dialog.too_long", { max: NOTE_MAX, count: text.length })));
  const res = await recordMemberAnswer(
    requestId,
    ctx.from!.id,
    { ...content, ...(text ? { text } : {}) },
    { chatId: msg.chat.id, messageId: msg.message_id },
    changeBasis(ctx, now),
  );
  if (!res.ok) {
    if (res.reason === "closed" && res.request) {
      await ctx.reply(ctx.t("officer.member.closed", { ...typeWords(ctx.t, res.request.type), code: res.request.code, status: ctx.t(`labels.status.${res.request.status}`) }));
    } else {
      ctx.logger.warn({ reason: res.reason }, "member answer to a request that is not theirs: ignored");
      await ctx.reply(ctx.t("dialog.stale_button"));
    }
    return;
  }
  await markAnswerPromptsUsed(msg.chat.id, now);
  // The acknowledgement comes through the outbox, after the answer is on its way to the officers.
}

/** Before the dialogues: Jawab buttons and replies to the bot's messages about a request. */
export function memberRelay(deps: MemberAnswerDeps): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    if (ctx.chat?.type !== "private" || !ctx.from) return next();
    const data = ctx.callbackQuery?.data;
    if (data !== undefined) {
      const m = ANSWER_BUTTON.exec(data);
      if (!m) return next();
      const request = await memberRequest(m[1], ctx.from.id);
      if (!request) {
        ctx.logger.warn({ data }, "Jawab button for a request that is not the sender's");
        return void (await ctx.answerCallbackQuery({ text: ctx.t("dialog.stale_button") }));
      }
      if (!isOpen(request.status))
        return void (await ctx.answerCallbackQuery({ text: ctx.t("officer.member.closed_toast", { ...typeWords(ctx.t, request.type), code: request.code }), show_alert: true }));
      await ctx.answerCallbackQuery();
      const prompt = await ctx.reply(ctx.t("officer.member.answer_prompt", { ...typeWords(ctx.t, request.type), code: request.code }), {
        reply_markup: { force_reply: true, input_field_placeholder: ctx.t("officer.member.answer_placeholder", { code: request.code }).slice(0, TELEGRAM_PLACEHOLDER_MAX) },
      });
      await recordMessageRef({ chatId: ctx.chat.id, messageId: prompt.message_id, requestId: request.id, kind: "answer_prompt" });
      return;
    }
    const msg = ctx.message;
    const replied = msg?.reply_to_message;
    if (!msg || !replied || replied.from?.id !== ctx.me.id) return next();
    if (msg.text?.startsWith("/")) return next();
    const ref = await findMessageRef(ctx.chat.id, replied.message_id);
    if (!ref) return next();
    // The reason for *Belum* or a rating's comment (actions/closure.ts).
    if (isClosurePrompt(ref.kind)) return closureInput(ctx, ref, msg, deps.clock());
    await answer(ctx, ref.requestId, msg, deps.clock());
  };
}

/**
 * After the dialogues: an answer typed without replying, shortly after pressing Jawab (or after
 * *Belum* or the stars of a finished request: its reason or comment).
 */
export function createMemberAnswerFallback(deps: MemberAnswerDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.chatType("private").on("message", async (ctx, next) => {
    if (ctx.message.reply_to_message || ctx.message.text?.startsWith("/")) return next();
    const now = deps.clock();
    const prompt = await latestOpenAnswerPrompt(ctx.chat.id, new Date(now.getTime() - ANSWER_PROMPT_TTL_MS));
    if (!prompt) return next();
    if (isClosurePrompt(prompt.kind)) return closureInput(ctx, prompt, ctx.message, now);
    await answer(ctx, prompt.requestId, ctx.message, now);
  });
  return composer;
}
