/**
 * The one guard of the admins' private commands and buttons: the sender of the update against
 * ADMIN_IDS (never callback data), in a private chat. Anyone else's command falls through to the
 * unknown-command answer and a button press is answered with a short refusal; both are logged.
 * The staff commands that also work in the officers' group (/sambungkan, /petugas, the confirmation
 * button) say why in the chat instead and keep their own checks (group-link.ts, officers.ts, confirm.ts).
 */
import { Composer } from "grammy";
import type { BotContext } from "../../context";
import { isAdmin } from "../../guards/admin";

export function adminPrivate(composer: Composer<BotContext>, guarded: { commands?: string[]; buttons?: RegExp[] }) {
  const pm = composer.chatType("private");
  if (guarded.commands?.length) {
    pm.command(guarded.commands, (ctx, next) => {
      if (!isAdmin(ctx)) ctx.logger.warn({ command: ctx.message?.text?.split(/\s/)[0] }, "admin command refused");
      return next();
    });
  }
  for (const button of guarded.buttons ?? []) {
    pm.callbackQuery(button, async (ctx, next) => {
      if (isAdmin(ctx)) return next();
      ctx.logger.warn({ data: ctx.callbackQuery.data }, "admin button refused");
      await ctx.answerCallbackQuery({ text: ctx.t("admin.not_allowed"), show_alert: true });
    });
  }
  return pm.filter(isAdmin);
}
