import type { MiddlewareFn, Transformer } from "grammy";
import type { BotContext } from "../context";
import type { Logger } from "../../logger";
import type { ConversationStore } from "../conversation-storage";
import { claimUpdate, releaseUpdate, isClaimed, DuplicateUpdateError, isDuplicateUpdate } from "../../domain/processed-updates";
import { isDatabaseUnavailable } from "../../db/availability";
import { withUpdateScope, currentUpdateScope, type UpdateScope } from "../../db/command-guard";
import { ConversationState } from "../../db/models/conversation-state";
import { ProcessedUpdate } from "../../db/models/processed-update";
import { ClaimedSend } from "../../db/models/claimed-send";

/** Update ids this process handled to the end, kept in memory (see below). */
const RECENT_IN_MEMORY = 10_000;

/**
 * Collections whose writes need no claim: the dialogue state records the update id itself, and a
 * send's claim (bot/claimed-sends.ts) is keyed by it (a copy of the update must reach that claim to
 * find the first one's message, not stop before it).
 */
const SELF_RECORDING = new Set([ConversationState.collection.collectionName, ProcessedUpdate.collection.collectionName, ClaimedSend.collection.collectionName]);

/**
 * An update delivered twice (a webhook re-send, or polling again after a crash before the offset
 * was confirmed) never has its effects twice. Installed after `sequentialize`, so two copies of one
 * update never race (they are in the same chat). No write of its own unless the update writes:
 *
 * - A dialogue step: the update's id is written with the dialogue state (the write the step makes
 *   anyway; bot/conversation-storage.ts), and a copy is recognised from the state before anything
 *   runs. A step that changes nothing writes nothing. The step that ends a dialogue is claimed
 *   (below) beside the state's delete.
 * - Any write outside the dialogue state (a request, an outbox item, a card action's lock, a relay):
 *   right before the update's first such write its id is inserted into the processed-updates
 *   collection (the claim). A copy's claim fails there, and its handling stops before it writes
 *   anything (DuplicateUpdateError, swallowed here).
 * - Before the update's first Bot API call outside a dialogue (`checkBeforeSend`, on bot.api), one
 *   read asks whether the update was claimed: a handler that says something before it writes (the
 *   Jawab prompt, then its message ref) is stopped there too, so a copy says nothing either.
 * - An update that writes nothing (a menu tap that only answers) is also recorded in this process's
 *   memory: a copy handled here is dropped at once; one reaching another process (or this one after
 *   a restart) passes the read above and is answered again, which doubles no effect.
 */
export function idempotency(store: ConversationStore, logger: Logger): MiddlewareFn<BotContext> {
  /**
   * Claims this process made for updates that then failed because the database went away, and that
   * could not be taken back: the update's next attempt here (a retry, a re-delivery) is not a duplicate.
   */
  const unreleased = new Set<number>();
  /** Handled to the end by this process (insertion order: the oldest go first). */
  const recent = new Set<number>();
  return async (ctx, next) => {
    const id = ctx.update.update_id;
    if (recent.has(id) || (await store.seen(ctx)) === "duplicate") {
      logger.info({ update_id: id }, "duplicate update ignored");
      return;
    }
    let claim: Promise<void> | undefined;
    let check: Promise<void> | undefined;
    let claimed = false;
    const scope: UpdateScope = {
      updateId: id,
      open: true,
      claim() {
        claim ??= claimUpdate(id, new Date()).then((fresh) => {
          if (!fresh && !unreleased.delete(id)) throw new DuplicateUpdateError(id);
          claimed = true;
        });
        return claim;
      },
      beforeWrite(collection) {
        if (!SELF_RECORDING.has(collection)) return scope.claim();
      },
      beforeSend() {
        check ??=
          claim ??
          isClaimed(id).then((found) => {
            if (found && !unreleased.has(id)) throw new DuplicateUpdateError(id);
          });
        return check;
      },
    };
    try {
      await withUpdateScope(scope, next);
    } catch (err) {
      if (isDuplicateUpdate(err)) {
        logger.info({ update_id: id }, "duplicate update stopped before its first write");
        return;
      }
      // Not processed, so not a duplicate when it comes again (main.ts retries it, Telegram re-sends it).
      if (claimed && isDatabaseUnavailable(err)) {
        await releaseUpdate(id).catch(() => unreleased.add(id));
      }
      throw err;
    } finally {
      scope.open = false;
    }
    recent.add(id);
    if (recent.size > RECENT_IN_MEMORY) recent.delete(recent.values().next().value!);
  };
}

/**
 * On bot.api (so on every ctx.api outside dialogues; a dialogue's own sends are recorded in its state
 * and never repeated): the first call of an update waits for the check that it is no copy.
 */
export const checkBeforeSend: Transformer = async (prev, method, payload, signal) => {
  await currentUpdateScope()?.beforeSend();
  return prev(method, payload, signal);
};
