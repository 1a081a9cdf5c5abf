/**
 * The outbox's WhatsApp side (domain/outbox.ts holds the items): what the WhatsApp dispatcher needs
 * of a member (their number, the 24-hour window, the last update template), holding a member's items
 * outside the window, and letting them go when the member writes again.
 */
import { Types } from "mongoose";
import { Member } from "../db/models/member";
import { Outbox } from "../db/models/outbox";
import { AuditLog } from "../db/models/audit-log";
import { audit } from "./audit";
import { WhatsAppStatus } from "../db/models/whatsapp-status";

export interface WhatsAppRecipient {
  memberId: string;
  waId: string | null;
  lastInboundAt: Date | null;
  templateAt: Date | null;
  locale: "id" | "en" | undefined;
}

/** Meta's customer-service window: free-form messages within 24 h of the member's last message. */
export const WINDOW_MS = 24 * 3600_000;
/** Kept free at the window's end: a message started a minute before it closes may arrive after. */
const WINDOW_MARGIN_MS = 5 * 60_000;

export function windowOpen(r: Pick<WhatsAppRecipient, "lastInboundAt">, now: Date): boolean {
  return r.lastInboundAt !== null && now.getTime() - r.lastInboundAt.getTime() < WINDOW_MS - WINDOW_MARGIN_MS;
}

/** The member keyed by `memberKey` (the outbox's chat) as a WhatsApp recipient; null when unknown or erased. */
export async function whatsappRecipient(memberKey: number): Promise<WhatsAppRecipient | null> {
  const doc = await Member.findOne({ telegramId: memberKey, erasedAt: { $exists: false } }, { whatsapp: 1, locale: 1 }).lean();
  if (!doc) return null;
  return {
    memberId: String(doc._id),
    waId: doc.whatsapp?.waId ?? null,
    lastInboundAt: doc.whatsapp?.lastInboundAt ?? null,
    templateAt: doc.whatsapp?.templateAt ?? null,
    locale: doc.locale ?? undefined,
  };
}

export const TEMPLATE_AUDIT = "whatsapp.template";

/** The update template went to the member now (no second one until they write); kept in the audit log, which Meta's bill is checked against. */
export async function recordTemplateSent(memberId: string, memberKey: number, requestCode: string | null, at: Date): Promise<void> {
  await Member.updateOne({ _id: new Types.ObjectId(memberId) }, { $set: { "whatsapp.templateAt": at } });
  await audit(memberKey, TEMPLATE_AUDIT, { code: requestCode }, at);
}

/**
 * Meta says the window is closed (131047) though our record of the member's last message says it is
 * open (a message we never saw, clocks apart): recorded as closed, so the items behind this one wait
 * for the same template instead of each meeting 131047.
 */
export async function markWindowClosed(memberKey: number, now: Date): Promise<Date> {
  const closed = new Date(now.getTime() - WINDOW_MS);
  await Member.updateOne({ telegramId: memberKey, "whatsapp.lastInboundAt": { $gt: closed } }, { $set: { "whatsapp.lastInboundAt": closed } });
  return closed;
}

/** Holds an item until the member writes (the lease holder's write); `templateWamid`: the template this hold sent. */
export async function holdForMember(itemId: string, note: string, templateWamid?: string): Promise<void> {
  await Outbox.updateOne(
    { _id: itemId },
    { $set: { awaitingMember: true, nextAttemptAt: new Date(8.64e15), lastError: note.slice(0, 500) }, ...(templateWamid ? { $push: { waMessageIds: templateWamid } } : {}) },
  );
}

/**
 * Meta's `failed` statuses not yet shown: each with the request its message was about (null when
 * the message was no update about a request, e.g. a dialogue's reply), at most `limit`.
 */
export async function unhandledFailures(limit = 50): Promise<{ id: string; wamid: string; note: string; requestId: string | null }[]> {
  const docs = await WhatsAppStatus.find({ status: "failed", handledAt: { $exists: false } })
    .sort({ at: 1 })
    .limit(limit)
    .lean();
  const out = [];
  for (const d of docs) {
    const f = d.failures?.[0];
    const note = `WhatsApp ${f?.code ?? "?"}: ${f?.details ?? f?.title ?? ""}`.trim();
    out.push({ id: String(d._id), wamid: d.wamid, note, requestId: (await requestOfWhatsAppMessage(d.wamid))?.requestId ?? null });
  }
  return out;
}

export async function markFailureHandled(id: string, at: Date): Promise<void> {
  await WhatsAppStatus.updateOne({ _id: id }, { $set: { handledAt: at } });
}

/** The member wrote: their held items are due now, in their order. Returns how many. */
export async function releaseHeldFor(memberKey: number, now: Date): Promise<number> {
  const res = await Outbox.updateMany(
    { channel: "whatsapp", chatId: memberKey, status: "pending", awaitingMember: true },
    { $set: { nextAttemptAt: now }, $unset: { awaitingMember: 1 } },
  );
  return res.modifiedCount ?? 0;
}

/** Templates sent in [from, to): the monthly recap counts them (Meta bills each). */
export async function templatesSentBetween(from: Date, to: Date): Promise<number> {
  return AuditLog.countDocuments({ action: TEMPLATE_AUDIT, at: { $gte: from, $lt: to } });
}

/** A WhatsApp item delivered to Meta: its messages' ids (wamid) kept for the status webhooks. */
export async function markSentOnWhatsApp(id: string, at: Date, waMessageIds: string[]): Promise<void> {
  await Outbox.updateOne({ _id: id }, { $set: { status: "sent", sentAt: at, waMessageIds, lastError: null }, $inc: { attempts: 1 } });
}

/** The request a sent WhatsApp message was about (a `failed` status webhook shows on its card). */
export async function requestOfWhatsAppMessage(wamid: string): Promise<{ itemId: string; requestId: string | null } | null> {
  const doc = await Outbox.findOne({ waMessageIds: wamid }, { requestId: 1 }).lean();
  return doc ? { itemId: String(doc._id), requestId: doc.requestId ? String(doc.requestId) : null } : null;
}
