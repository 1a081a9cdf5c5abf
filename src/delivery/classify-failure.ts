/**
 * What to do when a Bot API call for an outbox item failed: a pure decision from the error and the
 * item (no database, no clock), which the dispatcher then carries out.
 * - 429: everything waits `retry_after`;
 * - 5xx and network errors: retried with a growing delay (5 s doubling, at most 5 min);
 * - the officers' group refusing the bot altogether (403, no rights to send text, chat not found):
 *   retried the same way (an admin can fix the group);
 * - the group refusing a photo or voice note: final for the media, its caption goes as text;
 * - any other 400 for the group: once more as plain text (a cut HTML entity, a stray tag);
 * - "message is not modified": nothing to do; the group became a supergroup: follow it;
 * - anything else: given up (a 403 from a member or an officer is handled as such by the caller).
 */
import { GrammyError } from "grammy";
import { isMessageNotModified } from "../telegram/errors";

export interface FailedItem {
  /** Goes to the officers' group (counts against its budget). */
  group: boolean;
  /** Addressed to "the officers' group" as configured, rather than to a chat id. */
  toConfiguredGroup: boolean;
  /** Failed attempts before this one. */
  attempts: number;
  /** Already sent without formatting. */
  plain: boolean;
  /** The Bot API method that failed. */
  method: string;
  /** The officers' group is fixed by OFFICER_GROUP_ID (then a migration is not followed). */
  groupFixedByConfig: boolean;
}

export type FailureDecision =
  | { action: "pause"; waitMs: number; note: string }
  | { action: "not_modified" }
  | { action: "follow_migration"; chatId: number; note: string }
  | { action: "retry"; delayMs: number; note: string; groupUnreachable: boolean; network: boolean }
  | { action: "caption_as_text"; note: string }
  | { action: "retry_plain"; note: string }
  | { action: "give_up"; note: string; errorCode: number; description: string };

/** The Bot API's words when the bot may not write in a group at all (restricted, not an admin, gone). */
const NO_RIGHTS = /not enough rights to send text messages|have no rights to send a message|chat_write_forbidden|chat_send_plain_forbidden|chat not found/i;
/** The group takes text but not this media ("not enough rights to send photos / voice notes to the chat"). */
const MEDIA_NO_RIGHTS = /not enough rights to send|chat_send_\w+_forbidden/i;
const MEDIA_METHODS = new Set(["sendPhoto", "sendVoice", "sendVideo", "sendDocument", "sendAudio", "sendAnimation"]);

/** The delay before the next attempt after `attempts` failed ones: 5 s doubling, at most 5 min. */
export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 2 ** attempts, 300_000);
}

export function classifyFailure(err: unknown, item: FailedItem): FailureDecision {
  if (!(err instanceof GrammyError)) {
    const message = err instanceof Error ? err.message : String(err);
    return { action: "retry", delayMs: backoffMs(item.attempts), note: message, groupUnreachable: false, network: true };
  }
  const desc = err.description;
  const code = err.error_code;
  const note = `${code}: ${desc}`;
  if (code === 429) return { action: "pause", waitMs: Math.max(1, err.parameters?.retry_after ?? 5) * 1000, note: desc };
  if (isMessageNotModified(err)) return { action: "not_modified" };
  const migrateTo = err.parameters?.migrate_to_chat_id;
  if (code === 400 && migrateTo && item.toConfiguredGroup && !item.groupFixedByConfig) return { action: "follow_migration", chatId: migrateTo, note: desc };
  const groupUnreachable = item.group && (code === 403 || NO_RIGHTS.test(desc));
  if (code >= 500 || groupUnreachable) return { action: "retry", delayMs: backoffMs(item.attempts), note, groupUnreachable, network: false };
  if (item.group && code === 400 && !item.plain) {
    if (MEDIA_METHODS.has(item.method) && MEDIA_NO_RIGHTS.test(desc)) return { action: "caption_as_text", note };
    return { action: "retry_plain", note };
  }
  return { action: "give_up", note, errorCode: code, description: desc };
}
