import type { Transformer } from "grammy";

/** A Bot API result that is a Message: what dialogues may read of it. */
interface SentMessage {
  message_id: number;
  date?: number;
  chat: { id: number; type?: string };
}

function isMessage(x: unknown): x is SentMessage {
  return (
    typeof x === "object" && x !== null && typeof (x as SentMessage).message_id === "number" && typeof (x as SentMessage).chat === "object" && (x as SentMessage).chat !== null
  );
}

/** Only what a dialogue reads of a sent or edited message: its id and chat (see conversations/ask.ts). */
function trim(m: SentMessage): SentMessage {
  return { message_id: m.message_id, date: m.date, chat: { id: m.chat.id, type: m.chat.type } };
}

/**
 * Inside dialogues only (installed on `ctx.api` by the conversations plugin's `plugins`): a sent or
 * edited message comes back as `{ message_id, date, chat: { id, type } }`, without the text, the
 * keyboard, the bot user, entities. The plugin records every Bot API result in the dialogue's replay
 * state, which is stored and cached as JSON for as long as the dialogue is open: most of that JSON
 * was these echoes, and dialogue code reads nothing of them but the message and chat ids.
 *
 * This transformer sits outside the plugin's recorder (a transformer installed later wraps the ones
 * before it), so it cannot change what the recorder is handed; it changes it in place instead: the
 * recorder keeps the very response object it returns (test/trim-results.test.ts checks this holds).
 * On a replay the recorded, already trimmed, result comes back and is left as it is.
 */
export const trimDialogueResults: Transformer = async (prev, method, payload, signal) => {
  const res = await prev(method, payload, signal);
  if (res.ok) {
    const result: unknown = res.result;
    if (isMessage(result)) {
      (res as { result: unknown }).result = trim(result);
    } else if (Array.isArray(result) && result.length > 0 && result.every(isMessage)) {
      // sendMediaGroup
      (res as { result: unknown }).result = result.map(trim);
    }
  }
  return res;
};
