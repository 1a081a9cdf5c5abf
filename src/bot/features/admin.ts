import { Composer } from "grammy";
import type { BotContext } from "../context";
import { ADMIN_CHAIR_ID, ADMIN_SENTRA_ID } from "../conversations/admin";
import { listSentras } from "../../domain/sentras";
import { escapeHtml } from "../../i18n";
import { ADMIN_SENTRA, ADMIN_SENTRA_BUTTON } from "../../telegram/callback-data";

export function isAdmin(ctx: BotContext): boolean {
  return Boolean(ctx.from && ctx.config.adminIds.includes(ctx.from.id));
}

/**
 * Admin commands in a private chat. Identity is the sender of the update, checked here on every
 * command and button; anyone else gets the answer for an unknown command (and it is logged).
 */
export function createAdminFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const pm = composer.chatType("private");

  const adminOnly = (handler: (ctx: BotContext) => Promise<unknown>) => async (ctx: BotContext, next: () => Promise<void>) => {
    if (!isAdmin(ctx)) {
      ctx.logger.warn({ command: ctx.message?.text?.split(/\s/)[0], data: ctx.callbackQuery?.data }, "admin command refused");
      if (ctx.callbackQuery) {
        await ctx.answerCallbackQuery({ text: ctx.t("admin.not_allowed"), show_alert: true });
        return;
      }
      return next(); // answered by the unknown-command handler, like any other unknown command
    }
    await handler(ctx);
  };

  pm.command(
    "sentra",
    adminOnly(async (ctx) => {
      const sentras = await listSentras();
      const lines = sentras.map((s) => `• <b>${escapeHtml(s.name)}</b> — ${escapeHtml(s.kecamatan)}${s.chairpersonTelegramId ? " 👤" : ""}`);
      await ctx.reply(`${ctx.t("admin.sentra_list_title", { count: sentras.length })}\n${lines.join("\n") || ctx.t("admin.no_sentras")}`, {
        reply_markup: {
          inline_keyboard: [
            [{ text: ctx.t("admin.btn_add_sentra"), callback_data: ADMIN_SENTRA.add }],
            [{ text: ctx.t("admin.btn_rename_sentra"), callback_data: ADMIN_SENTRA.rename }],
          ],
        },
      });
    }),
  );
  pm.callbackQuery(
    ADMIN_SENTRA_BUTTON,
    adminOnly(async (ctx) => {
      await ctx.answerCallbackQuery();
      await ctx.conversation.enter(ADMIN_SENTRA_ID, { op: ctx.match?.[1] === "add" ? "add" : "rename" });
    }),
  );
  pm.command(
    "ketua",
    adminOnly((ctx) => ctx.conversation.enter(ADMIN_CHAIR_ID)),
  );
  return composer;
}
