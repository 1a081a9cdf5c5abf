/**
 * The outbox items the closure's timeline entries cause (called by request-effects.ts for every
 * entry; channel-neutral, written as Telegram messages by src/telegram/closure-messages.ts).
 */
import { hasMemberKey } from "./member-keys";
import { PRIORITY, type NewOutboxItem } from "./outbox";
import type { RequestView } from "./requests";

export function closureEffectsOf(r: RequestView, i: number, key: (what: string) => string): NewOutboxItem[] {
  const e = r.timeline[i];
  const reachable = hasMemberKey(r.memberTelegramId);
  const entry = { type: "entry", entry: i } as const;
  switch (e.kind) {
    case "status":
      // An officer finished it: the member is asked whether the problem is solved (after the notice).
      if (e.to !== "selesai" || !reachable) return [];
      return [{ kind: "member", chat: r.memberTelegramId, message: { type: "closure_ask" }, requestId: r.id, priority: PRIORITY.direct, dedupeKey: key("ask") }];
    case "reopened": {
      // The officers hear why (as a reply to the card, with the voice note if there is one); the member that it is open again.
      const items: NewOutboxItem[] = [
        { kind: "group_relay", chat: "group", message: entry, requestId: r.id, priority: PRIORITY.relay, replyToCard: true, ref: { messageRef: "relay" }, dedupeKey: key("relay") },
      ];
      if (reachable) items.push({ kind: "member_ack", chat: r.memberTelegramId, message: entry, requestId: r.id, priority: PRIORITY.direct, dedupeKey: key("ack") });
      return items;
    }
    case "accepted":
      return reachable ? [{ kind: "member", chat: r.memberTelegramId, message: entry, requestId: r.id, priority: PRIORITY.direct, dedupeKey: key("member") }] : [];
    default:
      return [];
  }
}
