/**
 * A registered member writes outside any dialogue ("kapan bantuannya datang?", a photo, a voice
 * note): with open requests, they are asked which request it is for (a button per request), or
 * whether it is a new report; without, the menu comes with a one-line hint. The message waits as a
 * pending choice of that member (10 minutes, once; erased with /hapusdata), so the buttons carry only
 * the choice's id and a place in it: who presses is checked against the member who wrote.
 */
import { changeBasis } from "../change-basis";
import { typeWords } from "../../i18n";
import { Composer } from "grammy";
import type { BotContext } from "../context";
import { memberOpenRequests } from "../../domain/queries";
import { createConfirmation, takeConfirmation, type FreeMessageChoice } from "../../domain/confirmations";
import { recordMemberAnswer } from "../../domain/workflow";
import { NOTE_MAX } from "../../lib/limits";
import type { Clock } from "../../lib/clock";
import { FREE_MESSAGE, freeMessageData } from "../../telegram/callback-data";
import { mainMenuKeyboard } from "../keyboards/main-menu";
import { relayContent } from "../staff";
import { dialogueClosedAsIdle } from "../middlewares/dialogue-guard";
import { asTelegramCall, licenceNumberReply } from "../../telegram/program-messages";

const ACTION = "free_message" as const;

type PendingFreeMessage = FreeMessageChoice;

export function createFreeMessagesFeature(deps: { clock: Clock }): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const pm = composer.chatType("private");

  pm.on(["message:text", "message:photo", "message:voice"], async (ctx, next) => {
    if (!ctx.member?.registered || dialogueClosedAsIdle(ctx) || ctx.message.text?.startsWith("/")) return next();
    const content = relayContent(ctx.message);
    if (content === "wrong_kind") return next();
    const text = content.text?.trim() ?? "";
    if (!content.photo && !content.voice && !text) return next();
    if (text.length > NOTE_MAX) return void (await ctx.reply(ctx.t("dialog.too_long", { max: NOTE_MAX, count: text.length })));
    // "NIB 1234567890123": a licence's number for the member's profile, not a message about a request.
    const licence = text && !content.photo && !content.voice ? await licenceNumberReply(text, ctx.from.id, ctx.t) : null;
    if (licence) {
      const call = asTelegramCall(licence);
      return void (await ctx.reply(String(call.payload.text), call.payload as never));
    }
    const open = await memberOpenRequests(ctx.member.id);
    if (open.length === 0) return void (await ctx.reply(ctx.t("unhandled.member_no_open"), { reply_markup: mainMenuKeyboard(ctx.t) }));
    const pending: PendingFreeMessage = {
      content: { ...content, ...(text ? { text } : {}) },
      chatId: ctx.chat.id,
      messageId: ctx.message.message_id,
      requests: open.map((r) => ({ id: r.id, code: r.code })),
    };
    const id = await createConfirmation(ctx.from.id, ACTION, pending, deps.clock());
    const rows = open.map((r, n) => [{ text: ctx.t("unhandled.btn_request", { code: r.code, type: ctx.t(`labels.type.${r.type}`) }), callback_data: freeMessageData(id, n) }]);
    rows.push([
      { text: ctx.t("unhandled.btn_new"), callback_data: freeMessageData(id, "new") },
      { text: ctx.t("unhandled.btn_no"), callback_data: freeMessageData(id, "no") },
    ]);
    await ctx.reply(ctx.t("unhandled.which_request"), {
      reply_parameters: { message_id: ctx.message.message_id, allow_sending_without_reply: true },
      reply_markup: { inline_keyboard: rows },
    });
  });

  pm.callbackQuery(FREE_MESSAGE, async (ctx) => {
    const now = deps.clock();
    const taken = await takeConfirmation(ctx.match[1], ctx.from.id, now);
    if (!taken.ok || taken.change.action !== ACTION) {
      ctx.logger.info({ reason: taken.ok ? "other action" : taken.reason }, "free-message choice not available");
      return void (await ctx.answerCallbackQuery({ text: ctx.t("unhandled.choice_expired"), show_alert: true }));
    }
    await ctx.answerCallbackQuery();
    const pending = taken.change.payload;
    const pick = ctx.match[2];
    if (pick === "no") return void (await ctx.editMessageText(ctx.t("unhandled.not_sent")));
    if (pick === "new") {
      await ctx.editMessageText(ctx.t("unhandled.not_sent"));
      return void (await ctx.reply(ctx.t("unhandled.new_report"), { reply_markup: mainMenuKeyboard(ctx.t) }));
    }
    const chosen = pending.requests[Number(pick)];
    if (!chosen) return void (await ctx.editMessageText(ctx.t("unhandled.choice_expired")));
    const res = await recordMemberAnswer(chosen.id, ctx.from.id, pending.content, { chatId: pending.chatId, messageId: pending.messageId }, changeBasis(ctx, now));
    if (!res.ok) {
      const closed = res.reason === "closed" && res.request;
      return void (await ctx.editMessageText(
        closed
          ? ctx.t("officer.member.closed", { ...typeWords(ctx.t, res.request!.type), code: res.request!.code, status: ctx.t(`labels.status.${res.request!.status}`) })
          : ctx.t("unhandled.choice_expired"),
      ));
    }
    // The acknowledgement follows through the outbox, once the message is on its way to the officers.
    await ctx.editMessageText(ctx.t("unhandled.sent_to", { code: chosen.code }));
  });
  return composer;
}
