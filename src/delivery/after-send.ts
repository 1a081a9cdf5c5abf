/**
 * The bookkeeping after an outbox item went out (the item is already marked sent): where a new card
 * is (its reply link first, then its place, so the repair scan finds a card whose place is missing),
 * which sent messages belong to which request, that the member is reachable again, and the 👌 on
 * the officer's message that was relayed.
 */
import type { ChangeBasis } from "../domain/deadlines";
import { MEMBER_KINDS, type OutboxItem } from "../domain/outbox";
import { recordMessageRef } from "../domain/message-refs";
import { markMemberReachable, queueCardEdit, recordCard } from "../domain/request-effects";
import { loadCardData, renderCard } from "../telegram/render";
import type { Prepared } from "./prepare-item";

/** Items that reach a member: a successful send shows the member can be reached. */
export { MEMBER_KINDS };

/** Sends the reaction (the dispatcher's raw call); a failure is ignored, the message arrived anyway. */
export type React = (payload: Record<string, unknown>) => Promise<unknown>;

export async function afterSent(item: OutboxItem, chatId: number, ids: number[], prepared: Prepared, basis: ChangeBasis, react: React): Promise<void> {
  const { now } = basis;
  if ((item.kind === "alert" || item.kind === "card") && item.requestId && prepared.hash) {
    const card = prepared.data?.request.card;
    const messageId = item.kind === "alert" ? ids[0] : Number(card?.messageId);
    const cardChat = item.kind === "alert" ? chatId : Number(card?.chatId);
    // The reply link first, the card's place last: the repair scan looks only for cards without a place,
    // so a failure in between leaves no place and the scan writes both again.
    if (item.kind === "alert" && messageId) await recordMessageRef({ chatId, messageId, requestId: item.requestId, kind: "card" });
    if (messageId) {
      await recordCard(item.requestId, { chatId: cardChat, messageId, hash: prepared.hash });
      // The request may have changed while the card was on its way: then it is edited again. (Read
      // after the place is written: a change from now on queues its own edit.)
      const data = await loadCardData(item.requestId, now);
      if (data && renderCard(data).hash !== prepared.hash) await queueCardEdit(item.requestId, cardChat, now, prepared.hash);
    }
  }
  const refKind = item.ref.messageRef;
  if (refKind && item.requestId) {
    for (const messageId of ids) {
      await recordMessageRef({ chatId, messageId, requestId: item.requestId, kind: refKind, promptId: item.ref.promptId ?? null });
    }
  }
  if (MEMBER_KINDS.has(item.kind) && item.requestId) await markMemberReachable(item.requestId, basis);
  const target = item.ref.react;
  if (target) {
    // "Delivered" on the officer's message: a reaction, not a message, so it costs the group nothing.
    await react({ chat_id: target.chatId, message_id: target.messageId, reaction: [{ type: "emoji", emoji: "👌" }] }).catch(() => undefined);
  }
}
