import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context";
import type { Logger } from "../../logger";
import type { ConversationStore } from "../conversation-storage";
import { claimUpdate, releaseUpdate } from "../../domain/processed-updates";
import { isDatabaseUnavailable } from "../../db/availability";

/**
 * An update delivered twice (a webhook re-send, or polling again after a crash before the offset
 * was confirmed) is processed once: a later copy stops here, before the member read and the
 * dialogue plugin. Installed after `sequentialize`, so two copies of one update never race (they
 * are in the same chat).
 *
 * One round trip at most, and none for a dialogue step: in a chat with a dialogue the update's id is
 * written with the dialogue state (the write the step makes anyway); otherwise its id is inserted
 * into the processed-updates collection before processing (a duplicate fails on the unique id).
 * An update in a chat with a dialogue that the dialogue plugin did not write for (a Jawab press or
 * a reply answered before the dialogues) has its id added to the state's ids afterwards: one write,
 * and a copy of it is then "duplicate" like a copy of a step.
 */
export function idempotency(store: ConversationStore, logger: Logger): MiddlewareFn<BotContext> {
  /**
   * Claims this process made for updates that then failed because the database went away, and that
   * could not be taken back: the update's next attempt here (a retry, a re-delivery) is not a duplicate.
   */
  const unreleased = new Set<number>();
  return async (ctx, next) => {
    const id = ctx.update.update_id;
    const seen = await store.seen(ctx);
    const claimed = seen === "unknown" && ((await claimUpdate(id, new Date())) || unreleased.delete(id));
    if (seen === "duplicate" || (seen === "unknown" && !claimed)) {
      logger.info({ update_id: id }, "duplicate update ignored");
      return;
    }
    let lostDatabase = false;
    try {
      await next();
    } catch (err) {
      // Not processed, so not a duplicate when it comes again (main.ts retries it, Telegram re-sends it).
      lostDatabase = isDatabaseUnavailable(err);
      if (claimed && lostDatabase) {
        await releaseUpdate(id).catch(() => unreleased.add(id));
      }
      throw err;
    } finally {
      // The dialogue plugin records the id when it writes the state; if it wrote nothing, record it
      // here, where `seen` looks (processed-updates is only asked about ids the state does not know).
      // Not for an update that lost the database: its dialogue was kept as it was, to take it again.
      if (seen === "new-in-dialogue" && !store.recorded(ctx) && !lostDatabase) await store.record(ctx);
    }
  };
}
