/** Who is an admin: the sender of the update, against ADMIN_IDS (never anything in callback data). */
import type { BotContext } from "../context";

export function isAdmin(ctx: BotContext): boolean {
  return Boolean(ctx.from && ctx.config.adminIds.includes(ctx.from.id));
}
