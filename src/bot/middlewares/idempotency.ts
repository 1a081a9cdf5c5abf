import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context";
import type { Logger } from "../../logger";
import type { ConversationStore } from "../conversation-storage";
import { claimUpdate } from "../../domain/processed-updates";

/**
 * An update delivered twice (a webhook re-send, or polling again after a crash before the offset
 * was confirmed) is processed once: a later copy stops here, before the member read and the
 * dialogue plugin. Installed after `sequentialize`, so two copies of one update never race (they
 * are in the same chat).
 *
 * One round trip at most, and none for a dialogue step: in a chat with a dialogue the update's id is
 * written with the dialogue state (the write the step makes anyway); otherwise its id is inserted
 * into the processed-updates collection before processing (a duplicate fails on the unique id).
 */
export function idempotency(store: ConversationStore, logger: Logger): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const id = ctx.update.update_id;
    const seen = await store.seen(ctx);
    if (seen === "duplicate" || (seen === "unknown" && !(await claimUpdate(id)))) {
      logger.info({ update_id: id }, "duplicate update ignored");
      return;
    }
    try {
      await next();
    } finally {
      // The dialogue plugin records the id when it writes the state; if it wrote nothing, record it here.
      if (seen === "new-in-dialogue" && !store.recorded(ctx)) await claimUpdate(id);
    }
  };
}
