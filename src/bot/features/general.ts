import { Composer } from "grammy";
import type { BotContext } from "../context";
import { runAction } from "../actions/run-action";
import { actionForMenuText, COMMAND_ACTIONS, mainMenuKeyboard } from "../keyboards/main-menu";
import { setMemberLocale } from "../../domain/members";
import { tFor } from "../../i18n";
import { LEAVE_DATA, runLeaveAction } from "../middlewares/dialogue-guard";
import { LANGUAGE, MENU_PROFILE } from "../../telegram/callback-data";

/** Start, help, language, cancel and the main menu: what works in every private chat. */
export function createGeneralFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const pm = composer.chatType("private");

  for (const [command, action] of Object.entries(COMMAND_ACTIONS)) {
    pm.command(command, (ctx) => runAction(ctx, action));
  }
  pm.command(["bantuan", "help"], (ctx) => runAction(ctx, "help"));
  pm.command(["batal", "cancel"], async (ctx) => {
    await ctx.reply(ctx.t("dialog.nothing_to_cancel"), ctx.member?.registered ? { reply_markup: mainMenuKeyboard(ctx.t) } : {});
  });

  // "Ya, tinggalkan": the dialogue guard has already left the dialogue.
  pm.callbackQuery(LEAVE_DATA, runLeaveAction);

  pm.callbackQuery(MENU_PROFILE, async (ctx) => {
    await ctx.answerCallbackQuery();
    await runAction(ctx, "profile");
  });

  pm.callbackQuery(LANGUAGE, async (ctx) => {
    const locale = ctx.match[1] as "id" | "en";
    await setMemberLocale(ctx.from.id, locale);
    ctx.locale = locale;
    ctx.t = tFor(locale);
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(ctx.t("language.changed"));
    if (ctx.member?.registered) await ctx.reply(ctx.t("menu.shown"), { reply_markup: mainMenuKeyboard(ctx.t) });
  });

  pm.on("message:text", async (ctx, next) => {
    const action = actionForMenuText(ctx.message.text);
    if (!action) return next();
    await runAction(ctx, action);
  });
  return composer;
}
