import { Composer } from "grammy";
import type { BotContext } from "../context";
import { mainMenuKeyboard } from "../keyboards/main-menu";

/** Last in the chain: a helpful answer to whatever nothing else understood. */
export function createUnhandledFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on("callback_query", async (ctx) => {
    ctx.logger.debug({ data: ctx.callbackQuery.data }, "unhandled callback query");
    await ctx.answerCallbackQuery({ text: ctx.t("dialog.stale_button") });
  });
  composer.chatType("private").on("message", async (ctx) => {
    const registered = Boolean(ctx.member?.registered);
    await ctx.reply(ctx.t(registered ? "unhandled.member" : "unhandled.guest"), registered ? { reply_markup: mainMenuKeyboard(ctx.t) } : {});
  });
  return composer;
}
