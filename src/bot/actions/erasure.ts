/** /hapusdata's question, asked by the command (features/privacy.ts) and by the menu (run-action.ts). */
import type { BotContext } from "../context";
import { hasPersonalData } from "../../domain/privacy";
import { ERASURE_NO, erasureYesData } from "../../telegram/callback-data";

/** /hapusdata: explains what is deleted and what is kept, and asks for confirmation. */
export async function askErasure(ctx: BotContext): Promise<void> {
  if (!ctx.from || !(await hasPersonalData(ctx.from.id))) {
    await ctx.reply(ctx.t("privacy.nothing"));
    return;
  }
  const issued = Math.floor(Date.now() / 1000);
  await ctx.reply(ctx.t("privacy.confirm"), {
    reply_markup: {
      inline_keyboard: [[{ text: ctx.t("privacy.confirm_yes"), callback_data: erasureYesData(issued) }], [{ text: ctx.t("privacy.confirm_no"), callback_data: ERASURE_NO }]],
    },
  });
}
