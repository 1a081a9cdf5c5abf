import { Composer } from "grammy";
import type { BotContext } from "../context";
import { eraseMemberData, erasureConfirmValid } from "../../domain/privacy";
import { refreshChatMenu } from "../commands";
import { sentraChairedBy } from "../../domain/sentras";
import { ERASURE_NO, ERASURE_YES } from "../../telegram/callback-data";

/** The confirmation buttons. Whose data goes is taken from the sender (ctx.from), never from the button. */
export function createPrivacyFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const pm = composer.chatType("private");

  pm.callbackQuery(ERASURE_YES, async (ctx) => {
    const issued = Number(ctx.match[1]) * 1000;
    if (!erasureConfirmValid(issued, new Date())) {
      await ctx.answerCallbackQuery();
      await ctx.editMessageText(ctx.t("privacy.expired"));
      return;
    }
    // The dialogue plugin deletes the state of a dialogue in progress (and its cache) at the end of
    // this update; eraseMemberData deletes the stored document too.
    await ctx.conversation.exitAll();
    const chaired = await sentraChairedBy(ctx.from.id);
    const result = await eraseMemberData(ctx.from.id, new Date());
    ctx.logger.info({ requestsAnonymised: result.requestsAnonymised, erased: result.erased }, "member erased their personal data");
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(ctx.t("privacy.done_title"));
    await ctx.reply(ctx.t("privacy.done"), { reply_markup: { remove_keyboard: true } });
    // A chairperson's menu loses the sentra's commands (staff keep theirs).
    if (chaired) await refreshChatMenu(ctx.api, ctx.config, ctx.from.id).catch((err) => ctx.logger.warn({ err: String(err) }, "command menu not refreshed after erasure"));
  });

  pm.callbackQuery(ERASURE_NO, async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(ctx.t("privacy.kept"));
  });
  return composer;
}
