import { Composer } from "grammy";
import type { BotContext } from "../context";
import { mainMenuKeyboard } from "../keyboards/main-menu";
import { dialogueClosedAsIdle } from "../middlewares/dialogue-guard";

/** Last in the chain: a helpful answer to whatever nothing else understood. */
export function createUnhandledFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on("callback_query", async (ctx) => {
    ctx.logger.debug({ data: ctx.callbackQuery.data }, "unhandled callback query");
    // No dialogue is open here (an open one takes every button of its chat): nothing to go back to.
    // Right after the "dialogue closed" notice, the notice is the answer.
    if (dialogueClosedAsIdle(ctx)) return void (await ctx.answerCallbackQuery());
    const key = ctx.chat?.type !== "private" ? "dialog.old_button_group" : ctx.member?.registered ? "dialog.old_button" : "dialog.old_button_guest";
    await ctx.answerCallbackQuery({ text: ctx.t(key) });
  });
  composer.chatType("private").on("message", async (ctx) => {
    // The member's answer to a dialogue that was just closed as idle: the notice (with the menu) said it all.
    if (dialogueClosedAsIdle(ctx)) return;
    const registered = Boolean(ctx.member?.registered);
    await ctx.reply(ctx.t(registered ? "unhandled.member" : "unhandled.guest"), registered ? { reply_markup: mainMenuKeyboard(ctx.t) } : {});
  });
  return composer;
}
