/** Turns an outbox item into the Bot API call that delivers it (stored call, or written at send time). */
import type { OutboxItem } from "../domain/outbox";
import { loadCardData, renderCard, renderContact, type CardData } from "../telegram/render";
import { renderMessage } from "../telegram/outbox-messages";

/** The call for one item: the method and payload to send, and what the bookkeeping after the send needs. */
export interface Prepared {
  method: string;
  payload: Record<string, unknown>;
  data?: CardData;
  hash?: string;
}

/**
 * Builds the call for an item: written now for cards, contacts and neutral messages, else the stored
 * call. "gone": nothing to send any more; "unchanged": a card edit the group already shows.
 */
export async function prepareItem(item: OutboxItem, chatId: number): Promise<Prepared | "gone" | "unchanged"> {
  if (item.kind === "alert" || item.kind === "card" || item.kind === "officer_contact") {
    const data = item.requestId ? await loadCardData(item.requestId) : null;
    if (!data) return "gone";
    if (item.kind === "officer_contact") return { method: "sendMessage", payload: { chat_id: chatId, text: renderContact(data) }, data };
    const card = renderCard(data);
    if (item.kind === "card") {
      const at = data.request.card;
      if (!at?.messageId || !at.chatId) return "unchanged";
      if (at.hash === card.hash) return "unchanged";
      return { method: "editMessageText", payload: { chat_id: at.chatId, message_id: at.messageId, text: card.text, reply_markup: card.reply_markup }, data, hash: card.hash };
    }
    return { method: "sendMessage", payload: { chat_id: chatId, text: card.text, reply_markup: card.reply_markup }, data, hash: card.hash };
  }
  if (item.message) {
    const call = await renderMessage(item, item.message, chatId);
    return call === "gone" ? "gone" : { method: call.method, payload: { ...call.payload, chat_id: chatId } };
  }
  return { method: item.method, payload: { ...item.payload, chat_id: chatId } };
}
