/** Turns an outbox item into the Bot API call that delivers it (stored call, or written at send time). */
import type { OutboxItem } from "../domain/outbox";
import { loadCardData, renderCard, renderContact, type CardData } from "../telegram/render";
import { renderMessage } from "../telegram/outbox-messages";
import { htmlToPlain } from "../lib/text";
import { withStoredMedia } from "./stored-media";
import type { Message } from "grammy/types";

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
export async function prepareItem(item: OutboxItem, chatId: number, now?: Date): Promise<Prepared | "gone" | "unchanged"> {
  if (item.kind === "alert" || item.kind === "card" || item.kind === "officer_contact") {
    const data = item.requestId ? await loadCardData(item.requestId, now) : null;
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
    const call = await renderMessage(item, item.message, chatId, now);
    if (call === "gone") return "gone";
    // A member's photo or voice from WhatsApp is uploaded from its stored copy.
    const payload = await withStoredMedia(call.payload);
    return payload === "gone" ? "gone" : { method: call.method, payload: { ...payload, chat_id: chatId } };
  }
  return { method: item.method, payload: { ...item.payload, chat_id: chatId } };
}

/** The payload without formatting: the text or caption plain, and empty entities (so no parse mode is added). */
export function plainPayload(payload: Record<string, unknown>): Record<string, unknown> {
  const { parse_mode: _p, entities: _e, caption_entities: _c, ...rest } = payload;
  if (typeof rest.text === "string") return { ...rest, text: htmlToPlain(rest.text), entities: [] };
  if (typeof rest.caption === "string") return { ...rest, caption: htmlToPlain(rest.caption), caption_entities: [] };
  return rest;
}

/** A media message's caption as a plain text message (for a group that refuses that media). */
export function captionAsText(payload: Record<string, unknown>): Record<string, unknown> {
  const { chat_id, reply_parameters, reply_markup, message_thread_id } = payload;
  const text = typeof payload.caption === "string" ? htmlToPlain(payload.caption) : "";
  return {
    chat_id,
    text,
    entities: [],
    ...(reply_parameters ? { reply_parameters } : {}),
    ...(reply_markup ? { reply_markup } : {}),
    ...(message_thread_id ? { message_thread_id } : {}),
  };
}

/** The message ids of a send's result (one message, or an album). */
export function messageIdsOf(result: unknown): number[] {
  if (Array.isArray(result)) return result.map((m) => (m as Message).message_id).filter((x) => typeof x === "number");
  const id = (result as Message | undefined)?.message_id;
  return typeof id === "number" ? [id] : [];
}
