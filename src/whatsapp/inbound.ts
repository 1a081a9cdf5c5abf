/**
 * The durable inbox of the WhatsApp channel. Meta delivers each webhook at least once and retries a
 * non-2xx answer for days, so a webhook is answered 200 only after its messages are stored here
 * (`storeEvents`; a duplicate `wamid` stores nothing twice) and handled from the store afterwards:
 * a message is either stored and handled — also after a crash, when its lease runs out — or refused
 * so that Meta sends it again. Never acknowledged and lost.
 */
import { WhatsAppInbound } from "../db/models/whatsapp-inbound";
import { WhatsAppStatus } from "../db/models/whatsapp-status";
import { isDuplicateKeyError } from "../db/errors";
import { tryLock, type Release } from "../domain/locks";
import type { InboundContent, InboundEvent, WebhookEvent } from "./webhook";

/** A stored message being handled: the event as received, its attempts, and the sender's lock. */
export type InboundMessage = Omit<InboundEvent, "kind"> & {
  attempts: number;
  /** Gives the sender back to the other loops and processes (held while the message is handled). */
  release: Release;
};

/** How long a taken message is this process's before another one may take it (a crash mid-handling). */
export const INBOUND_LEASE_MS = 60_000;
/** After this many failed attempts a message is set aside as failed (and logged), not tried forever. */
export const INBOUND_ATTEMPTS = 5;

export interface StoreResult {
  messages: number;
  duplicates: number;
  statuses: number;
  /** The messages stored as this process's own (`claimLeaseMs`), in order: to be handled from memory. */
  claimed: InboundMessage[];
}

/**
 * Stores a webhook's events. Throws when the database does not take them (the webhook is then refused).
 * With `claimLeaseMs` the new messages are stored as taken by this process (leased, as
 * takeNextInbound would take them): the insert is the claim (a unique `_id` has one winner), so
 * the worker handles them from memory without reading them back (worker.ts, `accept`).
 */
export async function storeEvents(events: WebhookEvent[], now: Date, claimLeaseMs?: number): Promise<StoreResult> {
  const result: StoreResult = { messages: 0, duplicates: 0, statuses: 0, claimed: [] };
  const claim = claimLeaseMs ? { status: "handling" as const, leaseUntil: new Date(now.getTime() + claimLeaseMs), attempts: 1 } : {};
  for (const e of events) {
    try {
      if (e.kind === "message") {
        const { kind: _kind, ...event } = e;
        await WhatsAppInbound.create({
          ...claim,
          _id: e.wamid,
          sender: senderOf(e),
          from: e.from ?? null,
          userId: e.userId ?? null,
          name: e.name ?? null,
          replyTo: e.replyTo ?? null,
          at: e.at,
          receivedAt: now,
          content: JSON.stringify(e.content),
        });
        result.messages++;
        if (claimLeaseMs) result.claimed.push({ ...event, attempts: 1, release: noRelease });
      } else {
        await WhatsAppStatus.create({ _id: `${e.wamid}:${e.status}`, wamid: e.wamid, status: e.status, at: e.at, failures: e.errors ?? [] });
        result.statuses++;
      }
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      result.duplicates++;
    }
  }
  return result;
}

const noRelease: Release = async () => undefined;

/** Whose messages are handled in order: the number, else the business-scoped user id. */
export function senderOf(e: { from?: string; userId?: string }): string {
  return e.from ?? `u:${e.userId ?? "?"}`;
}

const SENDERS_TRIED = 20;

/**
 * Takes the oldest message nobody is handling (or whose handler's lease ran out), or null. One
 * sender's messages go in the order received: while one of theirs is handled elsewhere, the next
 * waits; a message whose older one is still unhandled gives way to it. `look.busy` tells whether
 * null meant "nothing waiting" or "what waits is a busy sender's".
 */
export async function takeNextInbound(now: Date, leaseMs = INBOUND_LEASE_MS, look: { busy?: boolean } = {}): Promise<InboundMessage | null> {
  const free = { $or: [{ status: "new" as const }, { status: "handling" as const, leaseUntil: { $lt: now } }] };
  const busy: string[] = [];
  for (let tried = 0; tried < SENDERS_TRIED; tried++) {
    const oldest = await WhatsAppInbound.findOne(busy.length ? { ...free, sender: { $nin: busy } } : free, { sender: 1 })
      .sort({ receivedAt: 1, at: 1 })
      .lean();
    if (!oldest) return null;
    const first = await WhatsAppInbound.findOne({ sender: oldest.sender, status: { $in: ["new" as const, "handling" as const] } }, { status: 1, leaseUntil: 1 })
      .sort({ receivedAt: 1, at: 1 })
      .lean();
    if (!first || (first.status === "handling" && first.leaseUntil && first.leaseUntil >= now)) {
      look.busy = true;
      busy.push(oldest.sender);
      continue;
    }
    // One handler per sender across loops and processes: a lock (an insert into a unique index has
    // one winner; FerretDB v1 lets a guarded update have several). It frees itself after a crash.
    const release = await tryLock(`whatsapp:${oldest.sender}`, leaseMs);
    if (!release) {
      look.busy = true;
      busy.push(oldest.sender);
      continue;
    }
    const doc = await WhatsAppInbound.findOne({ _id: first._id, ...free }).lean();
    if (doc) {
      await WhatsAppInbound.updateOne({ _id: doc._id }, { $set: { status: "handling", leaseUntil: new Date(now.getTime() + leaseMs) }, $inc: { attempts: 1 } });
      return toMessage({ ...doc, attempts: doc.attempts + 1 }, release);
    }
    await release();
    // Another process took it a moment ago: look again.
  }
  look.busy = true;
  return null;
}

function toMessage(
  doc: { _id: string; from?: string | null; userId?: string | null; name?: string | null; replyTo?: string | null; at: Date; content: string; attempts: number },
  release: Release,
): InboundMessage {
  return {
    wamid: doc._id,
    ...(doc.from ? { from: doc.from } : {}),
    ...(doc.userId ? { userId: doc.userId } : {}),
    ...(doc.name ? { name: doc.name } : {}),
    ...(doc.replyTo ? { replyTo: doc.replyTo } : {}),
    at: doc.at,
    content: JSON.parse(doc.content) as InboundContent,
    attempts: doc.attempts,
    release,
  };
}

export async function markInboundDone(wamid: string | string[], now: Date): Promise<void> {
  const ids = typeof wamid === "string" ? [wamid] : wamid;
  if (ids.length === 0) return;
  await WhatsAppInbound.updateMany({ _id: { $in: ids } }, { $set: { status: "done", handledAt: now, leaseUntil: null } });
}

/** A handling that failed: tried again after a pause, or set aside after INBOUND_ATTEMPTS. */
export async function markInboundFailed(message: InboundMessage, err: unknown, now: Date, retryAfterMs = 5_000): Promise<"retry" | "failed"> {
  const failed = message.attempts >= INBOUND_ATTEMPTS;
  await WhatsAppInbound.updateOne(
    { _id: message.wamid },
    failed
      ? { $set: { status: "failed", leaseUntil: null, lastError: String(err).slice(0, 300) } }
      : { $set: { status: "handling", leaseUntil: new Date(now.getTime() + retryAfterMs), lastError: String(err).slice(0, 300) } },
  );
  return failed ? "failed" : "retry";
}

/** How long handled messages are kept: their ids answer a late duplicate from Meta; their words are the member's. */
export const INBOUND_KEPT_DAYS = 7;
/** Messages set aside after repeated failures are kept longer, for someone to look at. */
export const INBOUND_FAILED_KEPT_DAYS = 30;

/** Deletes the messages handled more than INBOUND_KEPT_DAYS ago (and failed ones after 30 days). Returns how many went. */
export async function purgeHandledInbound(now: Date): Promise<number> {
  const days = (n: number) => new Date(now.getTime() - n * 86_400_000);
  const res = await WhatsAppInbound.deleteMany({
    $or: [
      { status: "done", receivedAt: { $lt: days(INBOUND_KEPT_DAYS) } },
      { status: "failed", receivedAt: { $lt: days(INBOUND_FAILED_KEPT_DAYS) } },
    ],
  });
  return res.deletedCount;
}

/** The statuses Meta reported for one sent message, oldest first. */
export async function statusesOf(wamid: string) {
  return WhatsAppStatus.find({ wamid }).sort({ at: 1 }).lean();
}
