import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context";
import type { Logger } from "../../logger";
import { claimUpdate } from "../../domain/processed-updates";

/**
 * An update delivered twice (a webhook re-send, or polling again after a crash before the offset
 * was confirmed) is processed once: the first delivery records its id, a later one stops here,
 * before the member read and the dialogue plugin. Installed after `sequentialize`, so two copies of
 * one update never race (they are in the same chat).
 */
export function idempotency(logger: Logger): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    if (!(await claimUpdate(ctx.update.update_id))) {
      logger.info({ update_id: ctx.update.update_id }, "duplicate update ignored");
      return;
    }
    await next();
  };
}
