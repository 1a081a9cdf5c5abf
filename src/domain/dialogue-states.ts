/**
 * How long a dialogue in progress lives. Its state (the member's typed answers, a shared phone
 * number) is stored per chat so it survives a restart: after a day without an answer the dialogue
 * is closed at the member's next message, and a state nobody came back to is deleted by the
 * periodic purge.
 */
import { ConversationState } from "../db/models/conversation-state";

/** A dialogue idle for this long is closed; the member's next message is told so. */
export const DIALOGUE_IDLE_MS = 24 * 60 * 60 * 1000;

/**
 * A dialogue state idle for this long is deleted by the purge even if the member never writes
 * again. Longer than DIALOGUE_IDLE_MS, so a member who comes back within it is still told that the
 * dialogue was closed (instead of finding it silently gone).
 */
export const DIALOGUE_STATE_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** Whether a dialogue whose last step was at `lastActivityMs` is past the idle limit at `nowMs`. */
export function isDialogueIdle(lastActivityMs: number, nowMs: number): boolean {
  return nowMs - lastActivityMs > DIALOGUE_IDLE_MS;
}

/** Deletes the dialogue states idle for longer than DIALOGUE_STATE_RETENTION_MS. Returns how many went. */
export async function purgeAbandonedDialogues(now: Date): Promise<number> {
  const res = await ConversationState.deleteMany({ updatedAt: { $lt: new Date(now.getTime() - DIALOGUE_STATE_RETENTION_MS) } });
  return res.deletedCount;
}
