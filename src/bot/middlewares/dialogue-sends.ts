import type { Transformer } from "grammy";
import type { Logger } from "../../logger";

/**
 * Inside dialogues only (installed on `ctx.api` by the conversations plugin's `plugins`, innermost
 * of the plugin's transformers): a call that Telegram refused or that never got through (after the
 * client's own retries, see retrying-fetch.ts) comes back as a stand-in result instead of throwing.
 *
 * Why: an error that escapes a dialogue ends it and deletes its state, so one lost message would
 * cost the member every answer given so far; and catching a thrown call inside the dialogue and
 * waiting again can hang the chat (grammyjs/conversations #155). With this, a dialogue never sees
 * a failed send: a question that did not arrive is a message with id 0 (`isUndelivered`), and the
 * step engine (ask.ts) sends it again on the member's next message; a failed toast or tidy-up edit
 * is simply lost. The plugin records the real (failed) response below this transformer, so a replay
 * gets the same stand-in again.
 *
 * Only calls that deliver or tidy something are covered; a call whose result a dialogue reads for
 * data (getFile, getChat …) still throws.
 */
const COVERED = /^(send|edit|answer|delete|copy|forward|set|pin|unpin)/;

/** The message id of a stand-in for a message that was not delivered. */
export const UNDELIVERED_ID = 0;

/** A message a dialogue sent that never reached the chat (the stand-in of `dialogueSends`). */
export function isUndelivered(message: { message_id: number } | undefined): boolean {
  return message?.message_id === UNDELIVERED_ID;
}

function standIn(method: string, payload: Record<string, unknown>): unknown {
  if (method === "sendMediaGroup") return [];
  if (method.startsWith("send") || method.startsWith("copy") || method.startsWith("forward") || method.startsWith("edit")) {
    return { message_id: UNDELIVERED_ID, date: 0, chat: { id: Number(payload.chat_id ?? 0), type: "private" } };
  }
  return true;
}

export function dialogueSends(logger: Logger): Transformer {
  return async (prev, method, payload, signal) => {
    if (!COVERED.test(method)) return prev(method, payload, signal);
    const p = payload as unknown as Record<string, unknown>;
    try {
      const res = await prev(method, payload, signal);
      if (res.ok) return res;
      logger.warn({ method, error_code: res.error_code, description: res.description }, "a dialogue's call failed; the dialogue stays where it is");
    } catch (err) {
      logger.warn({ method, err: err instanceof Error ? err.message : String(err) }, "a dialogue's call failed; the dialogue stays where it is");
    }
    // The stand-in has the fields the dialogues read of the method's result (message_id, chat, date).
    return { ok: true, result: standIn(method, p) as never };
  };
}
