/** Turns an outbox item into the Bot API call that delivers it (stored payload, or rendered at send time). */
import type { OutboxItem } from "../domain/outbox";
import { loadCardData, renderCard, renderContact, type CardData } from "../domain/notifications";

/** The call for one item: the method and payload to send, and what the bookkeeping after the send needs. */
export interface Prepared {
  method: string;
  payload: Record<string, unknown>;
  data?: CardData;
  hash?: string;
}

/** Builds the call for an item: stored payload, or rendered now for cards and contacts. */
export async function prepareItem(item: OutboxItem, chatId: number): Promise<Prepared | "gone" | "unchanged"> {
  const payload: Record<string, unknown> = { ...item.payload, chat_id: chatId };
  if (item.kind === "alert" || item.kind === "card" || item.kind === "officer_contact") {
    const data = item.requestId ? await loadCardData(item.requestId) : null;
    if (!data) return "gone";
    if (item.kind === "officer_contact") return { method: item.method, payload: { ...payload, text: renderContact(data) }, data };
    const card = renderCard(data);
    if (item.kind === "card") {
      const at = data.request.card as { chatId?: number; messageId?: number; hash?: string } | undefined;
      if (!at?.messageId || !at.chatId) return "unchanged";
      if (at.hash === card.hash) return "unchanged";
      return { method: item.method, payload: { chat_id: at.chatId, message_id: at.messageId, text: card.text, reply_markup: card.reply_markup }, data, hash: card.hash };
    }
    return { method: item.method, payload: { ...payload, text: card.text, reply_markup: card.reply_markup }, data, hash: card.hash };
  }
  return { method: item.method, payload };
}
