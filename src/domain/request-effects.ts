/**
 * What a request's changes cause, and what its deliveries tell it back. Every change of a request
 * happens under its lock (FerretDB v1 loses concurrent updates of one document), appends timeline
 * entries and sets `effectsPending`; then the outbox items the new entries cause
 * (the alert, card edits, member notifications, relays) are derived from the timeline and queued with
 * keys made of the entry's index. A crash anywhere in between leaves `effectsPending` set, and the
 * dispatcher's scan queues the rest, so nothing is lost and nothing is queued twice. The items are
 * channel-neutral: src/telegram/outbox-messages.ts writes them as Telegram messages when they are sent.
 */
import { hasMemberKey } from "./member-keys";
import { Types } from "mongoose";
import { Request, type RequestDoc } from "../db/models/request";
import { Outbox } from "../db/models/outbox";
import { MessageRef } from "../db/models/message-ref";
import { withLock } from "./locks";
import { enqueue, hasPending, PRIORITY, type NewOutboxItem } from "./outbox";
import { sentAlerts } from "./sent-messages";
import { recordMessageRef } from "./message-refs";
import { toRequestView, type RequestView, type TimelineEntry } from "./requests";
import { OPEN_STATUSES, type Status } from "../vocabulary/statuses";
import { deadlineFields, type ChangeBasis } from "./deadlines";
import { listOfficers } from "./officers";
import { routeRequest } from "./routing";
import { closureEffectsOf } from "./closure-effects";

/** Runs `fn` holding the request's lock. Anything that writes a request document should use it. */
export function withRequestLock<T>(requestId: string, fn: () => Promise<T>): Promise<T> {
  return withLock(`request:${requestId}`, fn);
}

export type RequestLean = RequestDoc;

export async function load(requestId: string): Promise<RequestLean | null> {
  if (!Types.ObjectId.isValid(requestId)) return null;
  return Request.findById(requestId).lean();
}

/** A status, confirmation or closure state, as the vocabulary spells it. */
type Confirmation = NonNullable<RequestDoc["confirmation"]>;

/**
 * The fields a change may set, named and typed after the request's schema (renaming a field is the
 * compiler's job); dotted paths for the nested ones that change alone.
 */
export interface RequestSet {
  status?: Status;
  assigneeTelegramId?: number | null;
  infoReturnTo?: Status | null;
  closedAt?: Date | null;
  resolvedAt?: Date | null;
  confirmation?: Confirmation | null;
  reopenCount?: number;
  memberUnreachableAt?: Date | null;
  rating?: { stars: number; at: Date };
  "rating.comment"?: string;
  "sla.escalatedAt"?: Date;
}

/** One change of a request: the timeline entries it appends and the fields it sets. */
export interface RequestChange {
  entries?: TimelineEntry[];
  set?: RequestSet;
}

/** How a change is written: its time and service levels, and whether the card must be edited without a new entry. */
export interface CommitOptions extends ChangeBasis {
  touchCard?: boolean;
}

/**
 * Appends entries and sets fields in one update (under the lock, so the timeline read is current),
 * then queues the entries' effects.
 */
export async function commit(doc: RequestLean, change: RequestChange, opts: CommitOptions): Promise<RequestView> {
  const done = await commitIf(doc, {}, change, opts);
  if (!done) throw new Error(`request ${String(doc._id)} vanished while its lock was held`);
  return done;
}

/**
 * commit, only while the stored request still matches `when` (one conditional update): a change
 * that more than one process may try at once (the closure by silence, a member's answer to a
 * finished request) happens once. Null when it no longer matches: nothing was written.
 */
export async function commitIf(doc: RequestLean, when: Record<string, unknown>, change: RequestChange, opts: CommitOptions): Promise<RequestView | null> {
  const entries = change.entries ?? [];
  const set = change.set ?? {};
  const timeline = [...((doc.timeline ?? []) as unknown as TimelineEntry[]), ...entries];
  // The due date of the step the request is in after this change (deadlines.ts).
  const due = await deadlineFields(
    {
      status: set.status ?? doc.status,
      assigneeTelegramId: set.assigneeTelegramId !== undefined ? set.assigneeTelegramId : (doc.assigneeTelegramId ?? null),
      createdAt: doc.createdAt,
      timeline,
    },
    opts,
  );
  const res = await Request.updateOne({ _id: doc._id, ...when }, { $set: { ...set, ...due, ...(entries.length ? { timeline } : {}), effectsPending: true } });
  if (res.matchedCount === 0) return null;
  const fresh = await Request.findById(doc._id).lean();
  if (!fresh) throw new Error(`request ${String(doc._id)} vanished while its lock was held`);
  await queueEffects(fresh, opts.now, opts.touchCard ?? false);
  return toRequestView(fresh);
}

/**
 * The outbox items one timeline entry causes (without card edits: those are coalesced by the caller).
 * Channel-neutral: each item names the entry (or the request's media) and is written as a Telegram
 * message when sent (src/telegram/outbox-messages.ts).
 */
/** What one entry causes: the outbox items, and (for a new request) the officer it is routed to. */
interface EntryEffects {
  items: NewOutboxItem[];
  routedTo?: number;
}

async function effectsOf(r: RequestView, i: number): Promise<EntryEffects> {
  const items = await itemsOf(r, i);
  if (r.timeline[i].kind !== "created" || r.routedToTelegramId !== null) return { items };
  const officer = await routeRequest(r, await listOfficers());
  return officer ? { items, routedTo: officer.telegramId } : { items };
}

async function itemsOf(r: RequestView, i: number): Promise<NewOutboxItem[]> {
  const e = r.timeline[i];
  const key = (what: string) => `fx:${r.id}:${i}:${what}`;
  const entry = { type: "entry", entry: i } as const;
  const memberReachable = hasMemberKey(r.memberTelegramId);
  switch (e.kind) {
    case "created": {
      const items: NewOutboxItem[] = [{ kind: "alert", chat: "group", requestId: r.id, priority: PRIORITY.alert, dedupeKey: key("alert") }];
      const media = { kind: "alert_media", chat: "group", requestId: r.id, priority: PRIORITY.media, replyToCard: true, ref: { messageRef: "media" } } as const;
      if (r.attachments.some((a) => a.kind === "photo")) items.push({ ...media, message: { type: "request_media", media: "photo" }, dedupeKey: key("photo") });
      if (r.attachments.some((a) => a.kind === "voice")) items.push({ ...media, message: { type: "request_media", media: "voice" }, dedupeKey: key("voice") });
      return items;
    }
    case "claim": {
      const items: NewOutboxItem[] = [{ kind: "officer_contact", chat: e.by, requestId: r.id, priority: PRIORITY.direct, dedupeKey: key("contact") }];
      // The member hears that someone took it, unless a status change came with the claim (they hear of that).
      const next = r.timeline[i + 1];
      if (memberReachable && !(next?.kind === "status" && next.by === e.by)) {
        items.push({
          kind: "member",
          chat: r.memberTelegramId,
          message: entry,
          requestId: r.id,
          priority: PRIORITY.direct,
          ref: { messageRef: "relay" },
          dedupeKey: key("member"),
        });
      }
      // Several photos go to the officer as an album (one is already under the card).
      if (r.attachments.filter((a) => a.kind === "photo").length > 1) {
        items.push({ kind: "officer_media", chat: e.by, message: { type: "request_photos" }, requestId: r.id, priority: PRIORITY.direct, dedupeKey: key("photos") });
      }
      return items;
    }
    case "status":
      // A member's answer moves perlu_info back; the member hears of it in the answer's acknowledgement.
      if (e.role === "member" || e.role === "system" || !memberReachable || !e.to) return [];
      return [
        { kind: "member", chat: r.memberTelegramId, message: entry, requestId: r.id, priority: PRIORITY.direct, ref: { messageRef: "relay" }, dedupeKey: key("member") },
        // After selesai: "has the problem been solved?" (domain/closure.ts).
        ...closureEffectsOf(r, i, key),
      ];
    case "answer": {
      const items: NewOutboxItem[] = [
        { kind: "group_relay", chat: "group", message: entry, requestId: r.id, priority: PRIORITY.relay, replyToCard: true, ref: { messageRef: "relay" }, dedupeKey: key("relay") },
      ];
      if (memberReachable) {
        items.push({
          kind: "member_ack",
          chat: r.memberTelegramId,
          message: entry,
          requestId: r.id,
          priority: PRIORITY.direct,
          ref: { messageRef: "relay" },
          dedupeKey: key("ack"),
        });
      }
      return items;
    }
    case "reply": {
      if (!memberReachable) return [];
      const react = e.sourceChatId && e.sourceMessageId ? { react: { chatId: e.sourceChatId, messageId: e.sourceMessageId } } : {};
      return [
        {
          kind: "member_relay",
          chat: r.memberTelegramId,
          message: entry,
          requestId: r.id,
          priority: PRIORITY.direct,
          ref: { messageRef: "relay", ...react },
          dedupeKey: key("relay"),
        },
      ];
    }
    default:
      return closureEffectsOf(r, i, key);
  }
}

/**
 * Queues the effects of the timeline entries not queued yet (from `effectsQueued` on), and one
 * card edit when the card exists and something changed. Runs under the request's lock.
 */
async function queueEffects(doc: RequestLean, now: Date, touchCard = false): Promise<void> {
  await queueEffectsOf(toRequestView(doc), doc.effectsQueued ?? 0, now, touchCard);
}

/** queueEffects for a request in hand: `from` is the first timeline entry whose effects are not queued. */
export async function queueEffectsOf(r: RequestView, from: number, now: Date, touchCard = false): Promise<void> {
  const set: { effectsPending: false; effectsQueued: number; routedToTelegramId?: number } = { effectsPending: false, effectsQueued: r.timeline.length };
  const items: NewOutboxItem[] = [];
  for (let i = from; i < r.timeline.length; i++) {
    const fx = await effectsOf(r, i);
    items.push(...fx.items);
    if (fx.routedTo !== undefined) set.routedToTelegramId = fx.routedTo;
  }
  const changed = touchCard || r.timeline.slice(from).some((e) => e.kind !== "created");
  if (changed && r.card?.messageId && r.card.chatId && !(await hasPending({ requestId: r.id, kind: "card" }))) {
    // Rendered when sent, so one queued edit shows every change made before it goes out.
    items.push({ kind: "card", chat: r.card.chatId, group: true, requestId: r.id, priority: PRIORITY.card, dedupeKey: `fx:${r.id}:${r.timeline.length}:card:${now.getTime()}` });
  }
  await enqueue(items, now);
  await Request.updateOne({ _id: new Types.ObjectId(r.id) }, { $set: set, $unset: { alertPending: 1 } });
}

/** Queues what a request's new timeline entries must cause, if that has not happened yet. */
export async function syncRequestEffects(requestId: string, now: Date): Promise<void> {
  await withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc) return;
    if (!doc.effectsPending && !doc.alertPending && (doc.effectsQueued ?? 0) >= (doc.timeline?.length ?? 0)) return;
    await queueEffects(doc, now);
  });
}

/** The dispatcher's scan: requests saved (or changed) whose effects were not queued (e.g. a crash right after the save). */
export async function syncPendingEffects(now: Date, limit = 200): Promise<number> {
  // `alertPending`: the flag's former name, in requests saved before the rename.
  const docs = await Request.find({ $or: [{ effectsPending: true }, { alertPending: true }] }, { _id: 1 })
    .sort({ _id: 1 })
    .limit(limit)
    .lean();
  for (const d of docs) await syncRequestEffects(String(d._id), now);
  return docs.length;
}

/** Telegram said the member blocked the bot (403): shown on the card and in the timeline, once. */
export async function markMemberUnreachable(requestId: string, note: string, basis: ChangeBasis): Promise<void> {
  const { now } = basis;
  await withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc || doc.memberUnreachableAt) return;
    await commit(doc, { entries: [{ at: now, by: 0, role: "system", kind: "delivery", note: note.slice(0, 300) }], set: { memberUnreachableAt: now } }, basis);
  });
}

/** A message reached the member again: the warning leaves the card. */
export async function markMemberReachable(requestId: string, basis: ChangeBasis): Promise<void> {
  await withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc || !doc.memberUnreachableAt) return;
    await commit(doc, { set: { memberUnreachableAt: null } }, { ...basis, touchCard: true });
  });
}

/** A delivery that failed for good (not a 403): recorded in the timeline so officers see it. */
export async function recordDeliveryFailure(requestId: string, note: string, basis: ChangeBasis): Promise<void> {
  const { now } = basis;
  await withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc) return;
    await commit(doc, { entries: [{ at: now, by: 0, role: "system", kind: "delivery", note: note.slice(0, 300) }] }, basis);
  });
}

/**
 * A card went out (the alert, or an edit): remember where and what it shows. Called after the item is
 * marked sent; the sender then queues another edit if the request changed while it was on its way.
 */
export async function recordCard(requestId: string, card: { chatId: number; messageId: number; hash: string }): Promise<void> {
  await withRequestLock(requestId, async () => {
    const doc = await load(requestId);
    if (!doc) return;
    await Request.updateOne({ _id: doc._id }, { $set: { card } });
  });
}

/**
 * The dispatcher's repair: requests created since `since` whose alert went out but whose card's place
 * was never written (the process stopped, or the write failed, right after the send). The card gets
 * its reply link and its place back (and an edit to bring it up to date), so its buttons and replies
 * work again. Only cards without a place are found: the send writes the reply link before the place.
 */
export async function repairMissingCards(since: Date, now: Date): Promise<number> {
  const docs = await Request.find({ createdAt: { $gte: since }, "card.messageId": null }, { _id: 1 }).lean();
  let repaired = 0;
  for (const sent of await sentAlerts(docs.map((d) => String(d._id)))) {
    const done = await withRequestLock(sent.requestId, async () => {
      const doc = await load(sent.requestId);
      if (!doc || doc.card?.messageId) return false;
      // The reply link before the place (as after a send): a failure between them is found again next scan.
      await recordMessageRef({ chatId: sent.chatId, messageId: sent.messageId, requestId: sent.requestId, kind: "card" });
      // No hash: what the card shows is unknown, so it is edited to the current rendering.
      await Request.updateOne({ _id: doc._id }, { $set: { card: { chatId: sent.chatId, messageId: sent.messageId, hash: "" } } });
      await queueCardEdit(sent.requestId, sent.chatId, now, "repair");
      return true;
    });
    if (done) repaired++;
  }
  return repaired;
}

/**
 * Queues an edit of a card (unless one is waiting already). Whether the card must change is decided
 * when the edit is sent: a rendering equal to what the group shows costs no call.
 */
export async function queueCardEdit(requestId: string, chatId: number, now: Date, tag: string): Promise<void> {
  if (await hasPending({ requestId, kind: "card" })) return;
  await enqueue([{ kind: "card", chat: chatId, group: true, requestId, priority: PRIORITY.card, dedupeKey: `card:${requestId}:${now.getTime()}:${tag}` }], now);
}

/**
 * Something shown on a member's cards changed outside the request (e.g. the chairperson confirmed
 * them): the cards of their open requests are edited to match.
 */
export async function refreshMemberCards(memberTelegramId: number, now: Date): Promise<void> {
  const open = await Request.find({ memberTelegramId, status: { $in: OPEN_STATUSES }, "card.messageId": { $ne: null } }, { _id: 1 }).lean();
  for (const r of open) {
    const requestId = String(r._id);
    await withRequestLock(requestId, async () => {
      const doc = await load(requestId);
      if (doc?.card?.chatId && doc.card.hash) await queueCardEdit(requestId, doc.card.chatId, now, doc.card.hash);
    });
  }
}

/**
 * For /hapusdata: forgets a member's chat in the officer workflow (what is queued for it, and
 * which bot messages there belonged to which request). Their requests are anonymised elsewhere.
 */
export async function forgetMemberChat(telegramId: number): Promise<void> {
  await Outbox.deleteMany({ target: "chat", chatId: telegramId });
  await MessageRef.deleteMany({ chatId: telegramId });
}
