/**
 * The outbox: messages written to MongoDB before they are sent. Only the dispatcher that holds an
 * item's lease writes to that item (FerretDB v1 loses concurrent updates of one document), and
 * enqueueing is idempotent by `dedupeKey`.
 */
import { Types } from "mongoose";
import { Outbox, type OutboxDoc, type OutboxKind } from "../db/models/outbox";
import { tryLock, type Release } from "./locks";
import { escapeRegex } from "../lib/text";
import { bulkWriteFailures } from "../db/errors";
import { itemChannel, MEMBER_KINDS, whatsappChats, type OutboxChannel } from "./member-channels";
export { MEMBER_KINDS, type OutboxChannel };

export type { OutboxKind };

/**
 * Order within the group's budget: interactive things first, new cards last. Interactive (a prompt,
 * a notice answering what an officer just did): someone is waiting for it, so it may use the
 * group's last slots (group-budget.ts); everything else is bulk and leaves them free.
 */
export const PRIORITY = { prompt: 0, notice: 0, card: 1, relay: 2, digest: 3, alert: 4, media: 5, direct: 5 } as const;

/** A message a person is waiting for (see PRIORITY). */
export function isInteractive(priority: number): boolean {
  return priority <= PRIORITY.prompt;
}

export type { OutboxMessage, OutboxRef } from "./outbox-types";
import type { OutboxMessage, OutboxRef } from "./outbox-types";

interface ItemBase {
  kind: OutboxKind;
  /** A chat id, or "group" for the officers' group as known when the item is sent. */
  chat: number | "group";
  requestId?: string | null;
  /** Counts against the group's 20 messages a minute (default: when it goes to the group). */
  group?: boolean;
  priority?: number;
  replyToCard?: boolean;
  ref?: OutboxRef;
  digestOf?: string[];
  dedupeKey?: string;
  notBefore?: Date;
}

/**
 * A new item: a neutral `message` (what the domain queues), a Bot API call made by the Telegram
 * layer (`method` and `payload`), or neither for the kinds rendered from their request.
 */
export type NewOutboxItem = ItemBase &
  ({ message: OutboxMessage; method?: undefined } | { method: string; payload?: Record<string, unknown>; message?: undefined } | { method?: undefined; message?: undefined });

/** An item as the dispatcher sees it (payload and ref parsed). */
export interface OutboxItem {
  id: string;
  kind: OutboxKind;
  /** Which channel's dispatcher sends it. */
  channel: OutboxChannel;
  target: "group" | "chat";
  chatId: number | null;
  /** The Bot API method of a call queued as such ("" for a neutral message or a rendered kind). */
  method: string;
  payload: Record<string, unknown>;
  message: OutboxMessage | null;
  requestId: string | null;
  group: boolean;
  priority: number;
  replyToCard: boolean;
  ref: OutboxRef;
  digestOf: string[];
  status: "pending" | "sent" | "failed";
  attempts: number;
  nextAttemptAt: Date;
  createdAt: Date;
}

function toItem(doc: OutboxDoc): OutboxItem {
  return {
    id: String(doc._id),
    kind: doc.kind,
    channel: doc.channel === "whatsapp" ? "whatsapp" : "telegram",
    target: doc.target,
    chatId: doc.chatId ?? null,
    method: doc.method ?? "",
    payload: JSON.parse(doc.payload || "{}"),
    message: doc.message ? (JSON.parse(doc.message) as OutboxMessage) : null,
    requestId: doc.requestId ? String(doc.requestId) : null,
    group: Boolean(doc.group),
    priority: doc.priority,
    replyToCard: Boolean(doc.replyToCard),
    ref: JSON.parse(doc.ref || "{}") as OutboxRef,
    digestOf: doc.digestOf ?? [],
    status: doc.status,
    attempts: doc.attempts,
    nextAttemptAt: doc.nextAttemptAt,
    createdAt: doc.createdAt,
  };
}

type QueuedListener = () => void;
const queuedListeners = new Set<QueuedListener>();

/** Called whenever something was queued (a running dispatcher wakes up). Returns the unsubscribe function. */
export function onOutboxQueued(listener: QueuedListener): () => void {
  queuedListeners.add(listener);
  return () => queuedListeners.delete(listener);
}

function emitQueued() {
  for (const l of queuedListeners) {
    try {
      l();
    } catch {
      /* a listener's trouble is its own */
    }
  }
}

/**
 * Queues items in order, in one round trip; an item whose dedupeKey is already queued is skipped.
 * Returns how many were new.
 */
export async function enqueue(items: NewOutboxItem[], now: Date): Promise<number> {
  if (items.length === 0) return 0;
  const toWhatsApp = await whatsappChats(items.flatMap((it) => (MEMBER_KINDS.has(it.kind) && typeof it.chat === "number" ? [it.chat] : [])));
  // _ids are made here, in the items' order: the dispatcher sends a chat's items by _id.
  const docs = items.map((it) => ({
    _id: new Types.ObjectId(),
    kind: it.kind,
    target: it.chat === "group" ? "group" : "chat",
    chatId: it.chat === "group" ? null : it.chat,
    channel: itemChannel(it.kind, it.chat, toWhatsApp),
    method: it.method ?? "",
    payload: JSON.stringify(("payload" in it && it.payload) || {}),
    message: it.message ? JSON.stringify(it.message) : null,
    requestId: it.requestId ? new Types.ObjectId(it.requestId) : null,
    group: it.group ?? it.chat === "group",
    priority: it.priority ?? 5,
    replyToCard: it.replyToCard ?? false,
    ref: JSON.stringify(it.ref ?? {}),
    ...(it.digestOf ? { digestOf: it.digestOf } : {}),
    status: "pending",
    attempts: 0,
    nextAttemptAt: it.notBefore ?? now,
    dedupeKey: it.dedupeKey ?? new Types.ObjectId().toHexString(),
  }));
  let added = docs.length;
  try {
    // Unordered: a duplicate does not stop the items after it.
    await Outbox.insertMany(docs, { ordered: false });
  } catch (err) {
    const failures = bulkWriteFailures(err);
    if (!failures || failures.some((f) => !f.duplicate)) throw err;
    added -= failures.length;
  }
  if (added > 0) emitQueued();
  return added;
}

/** Pending items of a channel, oldest first (due or not: the dispatcher keeps each chat's order). */
export async function pendingItems(limit = 500, channel: OutboxChannel = "telegram"): Promise<OutboxItem[]> {
  const docs = await Outbox.find({ status: "pending", channel: channel === "whatsapp" ? "whatsapp" : { $ne: "whatsapp" } })
    .sort({ _id: 1 })
    .limit(limit)
    .lean();
  return docs.map(toItem);
}

/** Pending items for the officers' group, oldest first (re-read while the group's queue is worked on). */
export async function pendingGroupItems(limit = 1000): Promise<OutboxItem[]> {
  const docs = await Outbox.find({ status: "pending", group: true }).sort({ _id: 1 }).limit(limit).lean();
  return docs.map(toItem);
}

export async function hasPending(filter: { requestId: string; kind: OutboxKind }): Promise<boolean> {
  return (await Outbox.countDocuments({ requestId: new Types.ObjectId(filter.requestId), kind: filter.kind, status: "pending" })) > 0;
}

/** Request ids listed by digests (sent or not), out of `ids`. */
export async function digestedRequestIds(ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const docs = await Outbox.find({ kind: "digest", digestOf: { $in: ids } }, { digestOf: 1 }).lean();
  return new Set(docs.flatMap((d) => d.digestOf ?? []).filter((id) => ids.includes(id)));
}

/**
 * The right to process one item: a lease that another dispatcher cannot take while this one sends
 * (60 s buckets; a send is aborted after 30 s). Returns the item as stored now (it may have been
 * sent meanwhile: then null) and the release function.
 */
export async function leaseItem(id: string): Promise<{ item: OutboxItem; release: Release } | null> {
  const release = await tryLock(`outbox:${id}`, 60_000);
  if (!release) return null;
  const doc = await Outbox.findById(id).lean();
  if (!doc || doc.status !== "pending") {
    await release();
    return null;
  }
  return { item: toItem(doc), release };
}

/**
 * The lease holder's writes. `chatId`: where a group item went (the group may move later; a card's
 * place can then still be found from its alert).
 */
export async function markSent(id: string, at: Date, messageIds: number[], chatId?: number): Promise<void> {
  await Outbox.updateOne({ _id: id }, { $set: { status: "sent", sentAt: at, messageIds, lastError: null, ...(chatId !== undefined ? { chatId } : {}) }, $inc: { attempts: 1 } });
}

/** Done without a call (an edit that would change nothing): not a send, so no `sentAt` for the group budget. */
export async function markSettled(id: string): Promise<void> {
  await Outbox.updateOne({ _id: id }, { $set: { status: "sent", messageIds: [], lastError: null }, $inc: { attempts: 1 } });
}

/** `ref`: the item's extra facts replaced (e.g. `plain: true` for a plain-text retry). */
export async function markRetry(id: string, nextAttemptAt: Date, error: string | null, countAttempt: boolean, ref?: OutboxRef): Promise<void> {
  await Outbox.updateOne(
    { _id: id },
    {
      $set: { nextAttemptAt, ...(error !== null ? { lastError: error.slice(0, 500) } : {}), ...(ref ? { ref: JSON.stringify(ref) } : {}) },
      ...(countAttempt ? { $inc: { attempts: 1 } } : {}),
    },
  );
}

export async function markFailed(id: string, error: string): Promise<void> {
  await Outbox.updateOne({ _id: id }, { $set: { status: "failed", lastError: error.slice(0, 500) }, $inc: { attempts: 1 } });
}

/** Group messages sent since `since`, oldest first (their times decide when the budget frees up). */
export async function groupSendsSince(since: Date): Promise<Date[]> {
  const docs = await Outbox.find({ group: true, sentAt: { $gte: since } }, { sentAt: 1 })
    .sort({ sentAt: 1 })
    .lean();
  return docs.map((d) => d.sentAt as Date);
}

/**
 * Messages the bot sent to the officers' group itself (not through the outbox): written as sent
 * group rows, so `groupSendsSince` counts them against the budget.
 */
export async function recordDirectGroupSends(method: string, count: number, at: Date): Promise<void> {
  const docs = Array.from({ length: count }, () => ({
    kind: "notice",
    target: "group",
    method,
    payload: "{}",
    group: true,
    ref: JSON.stringify({ direct: true }),
    status: "sent",
    attempts: 1,
    nextAttemptAt: at,
    sentAt: at,
    dedupeKey: new Types.ObjectId().toHexString(),
  }));
  await Outbox.insertMany(docs);
}

/** What identifies a member's data in queued messages (see `forgetMemberInOutbox`). */
export interface ErasedMember {
  memberId: string;
  /** Their chair applications: the group's message about one carries its id in its buttons. */
  chairRequestIds: string[];
  /** Their requests: a digest lists them by business name. */
  requestIds: string[];
  /** Their name, phone, business and products as stored: the last net for a message that quotes them. */
  values: string[];
}

/**
 * /hapusdata: a message written with the member's data when it was queued (a chairperson's review
 * of them, their chair application in the group, a digest line) is not delivered any more, and a
 * message already sent keeps no copy of its text. A neutral message about them (a review, an
 * application: it names them only by id) is not delivered either; other messages rendered when sent
 * (cards, contacts, relays) render from the erased records.
 */
export async function forgetMemberInOutbox(m: ErasedMember): Promise<number> {
  // Ids are unique to them anywhere; a name may be someone else's too, so it is looked for only in the
  // kinds of message that quote a member's data when queued.
  const or: Record<string, unknown>[] = [m.memberId, ...m.chairRequestIds].flatMap((id) => [{ payload: { $regex: escapeRegex(id) } }, { message: { $regex: escapeRegex(id) } }]);
  for (const v of m.values.filter((x) => x.trim().length >= 4)) or.push({ kind: { $in: ["membership", "digest", "notice"] }, payload: { $regex: escapeRegex(v) } });
  if (m.requestIds.length) or.push({ kind: "digest", digestOf: { $in: m.requestIds } });
  if (or.length === 0) return 0;
  const docs = await Outbox.find({ $or: or }, { _id: 1, status: 1 }).lean();
  const pending = docs.filter((d) => d.status === "pending").map((d) => d._id);
  const done = docs.filter((d) => d.status !== "pending").map((d) => d._id);
  if (pending.length) await Outbox.deleteMany({ _id: { $in: pending }, status: "pending" });
  if (done.length) await Outbox.updateMany({ _id: { $in: done } }, { $set: { payload: "{}" } });
  return docs.length;
}

/** Sent items are kept a while for the group budget and for inspection, then removed. */
export async function pruneSent(olderThan: Date): Promise<number> {
  const res = await Outbox.deleteMany({ status: "sent", $or: [{ sentAt: { $lt: olderThan } }, { sentAt: null, updatedAt: { $lt: olderThan } }] });
  return res.deletedCount ?? 0;
}
