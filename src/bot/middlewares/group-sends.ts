import type { Transformer } from "grammy";
import type { Config } from "../../config";
import type { Logger } from "../../logger";
import { getOfficerGroupId } from "../../domain/settings";
import { recordDirectGroupSends } from "../../domain/outbox";
import { type Clock } from "../../lib/clock";

/** Calls that put a message in the chat (or change one); reactions, chat actions and menus do not. */
function messagesOf(method: string, payload: Record<string, unknown>): number {
  if (method === "sendMediaGroup") return Array.isArray(payload.media) ? payload.media.length : 1;
  if (method === "sendChatAction") return 0;
  if (method.startsWith("send") || method.startsWith("edit") || method === "copyMessage" || method === "forwardMessage") return 1;
  return 0;
}

/**
 * What the bot says to the officers' group directly (answers to commands, the /petugas question and
 * its edit) is recorded where the dispatcher counts the group's 20 messages a minute, so the outbox
 * leaves room for it. Only calls Telegram accepted count: an edit answered "message is not modified"
 * sent nothing.
 */
export function countGroupSends(config: Pick<Config, "officerGroupId">, clock: Clock, logger: Logger): Transformer {
  return async (prev, method, payload, signal) => {
    const result = await prev(method, payload, signal);
    const p = payload as Record<string, unknown> | undefined;
    const chatId = p?.chat_id;
    // Private chats have positive ids: no database read for them.
    if (!result.ok || typeof chatId !== "number" || chatId >= 0) return result;
    const count = messagesOf(method, p!);
    if (count === 0) return result;
    try {
      if ((await getOfficerGroupId(config.officerGroupId)) === chatId) await recordDirectGroupSends(method, count, clock());
    } catch (err) {
      logger.warn({ method, err: err instanceof Error ? err.message : String(err) }, "a direct send to the officers' group was not counted");
    }
    return result;
  };
}
