/**
 * The path of every update into the bot, polled or posted (main.ts installs it in both modes).
 */
import { performance } from "node:perf_hooks";
import { BotError, type Bot } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../logger";
import type { BotContext } from "./context";
import { isDatabaseUnavailable } from "../db/availability";
import { RedeliverError } from "../server/http-server";
import { updateKind, type Metrics, type UpdateOutcome } from "../server/metrics";

/** How long an update that failed for want of the database is tried again, and the first pause. */
const DB_RETRY_WINDOW_MS = 60_000;
const DB_RETRY_FIRST_MS = 1_000;

/** Handles one update; `answered` (webhook) says whether Telegram has had its reply. */
export type UpdateHandler = (update: Update, answered?: () => boolean) => Promise<void>;

/**
 * Every update, polled or posted, goes through here: a failure is answered by bot.catch, and
 * each one is logged with its duration at debug level (slow updates show; the fault tests wait on it).
 * An update that failed because the database was away is tried again (its claim was taken back,
 * see idempotency.ts) for up to DB_RETRY_WINDOW_MS: the member's answer or the officer's message is
 * then stored late rather than lost. Only after that, or for any other error, is the sender told.
 * In webhook mode, while Telegram has not been answered, such an update is handed back instead
 * (503: Telegram sends it again), so it survives this process too.
 */
export function updateHandler(bot: Bot<BotContext>, logger: Logger, stopping: () => boolean, metrics?: Pick<Metrics, "update" | "databaseError">): UpdateHandler {
  return async (update, answered) => {
    const started = performance.now();
    let outcome: UpdateOutcome = "ok";
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await bot.handleUpdate(update);
          return;
        } catch (err) {
          if (isDatabaseUnavailable(err)) metrics?.databaseError();
          if (answered && !answered() && !stopping() && isDatabaseUnavailable(err)) {
            outcome = "redeliver";
            throw new RedeliverError(err);
          }
          const waitMs = Math.min(DB_RETRY_FIRST_MS * 2 ** attempt, 8_000);
          if (!stopping() && isDatabaseUnavailable(err) && performance.now() - started + waitMs < DB_RETRY_WINDOW_MS) {
            logger.warn({ update_id: update.update_id, attempt: attempt + 1, waitMs }, "database unavailable: the update will be tried again");
            await new Promise((r) => setTimeout(r, waitMs));
            continue;
          }
          outcome = "error";
          await bot.errorHandler(err instanceof BotError ? err : new BotError(err, undefined as never));
          return;
        }
      }
    } finally {
      const ms = performance.now() - started;
      metrics?.update(updateKind(update), outcome, ms / 1000);
      logger.debug({ update_id: update.update_id, ms: Math.round(ms) }, "update handled");
    }
  };
}
