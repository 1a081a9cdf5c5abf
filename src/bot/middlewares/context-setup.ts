import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context";
import type { Config } from "../../config";
import type { Logger } from "../../logger";
import { pickLocale, tFor } from "../../i18n";
import { findMemberCached, useTelegramChannel } from "../../domain/members";

/** Per update: a child logger, the sender's member record (cached read), the language and `ctx.t`. */
export function contextSetup(config: Config, logger: Logger): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    ctx.config = config;
    ctx.logger = logger.child({ update_id: ctx.update.update_id, chat_id: ctx.chat?.id, user_id: ctx.from?.id });
    ctx.member = ctx.from && !ctx.from.is_bot ? await findMemberCached(ctx.from.id) : null;
    // A member who writes privately on Telegram after WhatsApp gets their updates here again.
    if (ctx.member?.channel === "whatsapp" && ctx.chat?.type === "private") {
      await useTelegramChannel(ctx.member.telegramId);
      ctx.member.channel = "telegram";
    }
    ctx.locale = pickLocale(ctx.member?.locale, ctx.from?.language_code, config.defaultLocale);
    ctx.t = tFor(ctx.locale);
    await next();
  };
}
