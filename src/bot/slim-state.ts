/**
 * What the stored dialogue state keeps of each update a dialogue received: all of it but the copies
 * of other messages that Telegram puts inside an update. A button press carries the whole message
 * the button is on (its text, entities, inline keyboard, the bot as sender); a reply carries the
 * message it replies to. A replay reads of those only their id and chat (ask.ts: `messageId`;
 * grammY's `ctx.editMessageText`, `ctx.chat`), so only that is stored: with a question's keyboard
 * that is most of each press's share of the state (test/storage-writes.test.ts measures it).
 *
 * Applied when the state is written (bot/conversation-storage.ts), to a copy: the update handled
 * now and the middleware after the plugin keep the whole update. A replay of a trimmed state sees
 * the trimmed update, so the rule for dialogue code is: read nothing of `callbackQuery.message` or
 * `message.reply_to_message` but the message id and the chat.
 */
import type { ConversationData, VersionedState } from "@grammyjs/conversations";

interface MessageLike {
  message_id: number;
  date?: number;
  chat?: { id: number; type?: string };
}

function slimMessage(m: MessageLike): MessageLike {
  return { message_id: m.message_id, date: m.date, ...(m.chat ? { chat: { id: m.chat.id, type: m.chat.type } } : {}) };
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const isMessageLike = (x: unknown): x is MessageLike => isObject(x) && typeof x.message_id === "number";

/** A received update without the embedded copies of other messages (a new object; the input is not changed). */
export function slimUpdate(update: Record<string, unknown>): Record<string, unknown> {
  let out = update;
  const cq = update.callback_query;
  if (isObject(cq) && isMessageLike(cq.message)) {
    out = { ...out, callback_query: { ...cq, message: slimMessage(cq.message) } };
  }
  for (const field of ["message", "edited_message"] as const) {
    const msg = update[field];
    if (!isObject(msg)) continue;
    const slim: Record<string, unknown> = { ...msg };
    let changed = false;
    for (const inner of ["reply_to_message", "pinned_message"] as const) {
      if (isMessageLike(msg[inner])) {
        slim[inner] = slimMessage(msg[inner]);
        changed = true;
      }
    }
    if (changed) out = { ...out, [field]: slim };
  }
  return out;
}

interface ReplayLike {
  send: { payload?: unknown }[];
  receive: { send: number; returnValue?: unknown }[];
}

const isReplay = (x: unknown): x is ReplayLike => isObject(x) && Array.isArray(x.send) && Array.isArray(x.receive);

/**
 * The plugin's state with every received update slimmed (see above). The plugin's own structure —
 * per dialogue a list of { replay: { send, receive }, interrupts, ... } — stays as it is; a received
 * value counts as an update when the operation it answers is a `wait`.
 */
export function slimState(state: VersionedState<ConversationData>): VersionedState<ConversationData> {
  const data = state.state as Record<string, unknown[]>;
  const out: Record<string, unknown[]> = {};
  for (const [id, list] of Object.entries(data)) {
    out[id] = list.map((c) => {
      if (!isObject(c) || !isReplay(c.replay)) return c;
      const { send, receive } = c.replay;
      const slimmed = receive.map((r) =>
        send[r.send]?.payload === "wait" && isObject(r.returnValue) && typeof r.returnValue.update_id === "number" ? { ...r, returnValue: slimUpdate(r.returnValue) } : r,
      );
      return { ...c, replay: { ...c.replay, receive: slimmed } };
    });
  }
  return { ...state, state: out as unknown as ConversationData };
}
