/**
 * Who writes on WhatsApp. A member is found by the WhatsApp identity already linked (the number or
 * Meta's business-scoped user id, either is enough: Meta may leave the number out for users with a
 * username), else by the verified number against the phone a registered member gave on Telegram:
 * the same person is one member, whose requests show on both channels. Every message also records
 * when the member last wrote (the 24-hour window for free-form messages).
 */
import { Member } from "../db/models/member";
import { normalizeContactPhone } from "./phone";
import { registerMember, toView, type MemberView, type Registration } from "./members";
import { Counter } from "../db/models/counter";
import { WHATSAPP_KEY_BASE, whatsappOnlyKey } from "./member-keys";
import { Request } from "../db/models/request";
import { Outbox } from "../db/models/outbox";
import { WhatsAppMedia } from "../db/models/whatsapp-media";
import type { Locale } from "../config";
import { memberWrites, type MemberDoc } from "../db/models/member";
import { ReadCache } from "../lib/read-cache";
import type { Types } from "mongoose";
import { WATCHED_WRITE_INVALIDATIONS, WATCH_KEY } from "../db/write-watch";

export interface WhatsAppSender {
  /** The number, digits only (Meta's `from` / `wa_id`). */
  from?: string;
  userId?: string;
}

/**
 * How stale the stored "last wrote" may be before it is written again: well inside the window's
 * 5-minute margin (whatsapp-outbox.ts), so most messages cost one read and no write.
 */
const LAST_INBOUND_WRITE_MS = 60_000;

export async function findWhatsAppMember(sender: WhatsAppSender, now: Date): Promise<MemberView | null> {
  return (await findWhatsAppSender(sender, now))?.member ?? null;
}

/**
 * The member records WhatsApp senders were found by, by telegramId (so every write to a member
 * through mongoose drops its entry: db/write-watch.ts; another process's within 2 s), and which
 * member each number or user id was: most messages then read nothing from the database.
 */
const linkedCache = new ReadCache<number, MemberDoc>({ max: 10_000, ttlMs: 5 * 60_000, version: () => memberWrites.version });
memberWrites.onKeyedWrite((telegramId) => linkedCache.invalidate(Number(telegramId)));
/** Which member each number (`n:`) or user id (`u:`) was: its telegramId, and its `_id` to read it by. */
const senderKeys = new Map<string, { telegramId: number; id: Types.ObjectId }>();

/**
 * The member linked to this sender, else the registered member whose verified phone is this number
 * (to be linked): from memory when known; a sender known in this process (or since start-up:
 * preloadWhatsAppSenders) whose record was written since is read again by `_id`; else one equality
 * query per key, the number first. Not an `$or` of them all, and by `_id` where it can: servers that
 * serve no other filter from an index (FerretDB v1) scan every member for it — about 100 ms at 3,000
 * members against 3 ms by `_id` (measured with bench/whatsapp.ts and BENCH_WA_OTHERS).
 */
async function lookUp(sender: WhatsAppSender): Promise<{ linked?: MemberDoc; byPhone?: MemberDoc }> {
  const known = senderKeys.get(`n:${sender.from}`) ?? senderKeys.get(`u:${sender.userId}`);
  // Linked to this sender by the number or the user id (the other is written on this message), not erased.
  const isSenders = (d: MemberDoc) =>
    !d.erasedAt && ((sender.from !== undefined && d.whatsapp?.waId === sender.from) || (sender.userId !== undefined && d.whatsapp?.userId === sender.userId));
  const hit = known === undefined ? undefined : linkedCache.get(known.telegramId)?.value;
  // From memory only when both match as stored (the link may have moved, or the member been erased, since).
  if (hit && !hit.erasedAt && (!sender.from || hit.whatsapp?.waId === sender.from) && (!sender.userId || hit.whatsapp?.userId === sender.userId)) return { linked: hit };
  const stamp = linkedCache.stamp();
  const found = (doc: MemberDoc) => {
    remember(sender, doc, () => linkedCache.set(doc.telegramId, doc, stamp));
    return { linked: doc };
  };
  if (known && !hit) {
    const doc = await Member.findById(known.id).lean();
    if (doc && isSenders(doc)) return found(doc);
  }
  const keys = [...(sender.from ? [{ "whatsapp.waId": sender.from }] : []), ...(sender.userId ? [{ "whatsapp.userId": sender.userId }] : [])];
  for (const key of keys) {
    const doc = await Member.findOne({ ...key, erasedAt: { $exists: false } }).lean();
    if (doc && isSenders(doc)) return found(doc);
  }
  const phone = sender.from ? normalizeContactPhone(sender.from) : undefined;
  if (!phone) return {};
  const docs = await Member.find({ phone, phoneVerifiedAt: { $ne: null }, registeredAt: { $exists: true }, whatsapp: { $exists: false }, erasedAt: { $exists: false } })
    .sort({ registeredAt: 1 })
    .limit(5)
    .lean();
  // The oldest registration if several have this phone.
  return { byPhone: docs.find((d) => !d.whatsapp && d.phone === phone && d.phoneVerifiedAt && d.registeredAt) };
}

/**
 * Every member linked on WhatsApp, read once (main.ts, when the channel starts): after a restart a
 * member's first message then reads their record by `_id` instead of searching for their number.
 * Returns how many were read.
 */
export async function preloadWhatsAppSenders(): Promise<number> {
  const stamp = linkedCache.stamp();
  const docs = await Member.find({ whatsapp: { $exists: true }, erasedAt: { $exists: false } }).lean();
  for (const doc of docs) {
    const sender = { from: doc.whatsapp?.waId ?? undefined, userId: doc.whatsapp?.userId ?? undefined };
    remember(sender, doc, () => linkedCache.set(doc.telegramId, doc, stamp));
  }
  return docs.length;
}

function remember(sender: WhatsAppSender, doc: MemberDoc, cache: () => void): void {
  cache();
  if (senderKeys.size >= 10_000) senderKeys.clear();
  const key = { telegramId: doc.telegramId, id: doc._id };
  if (sender.from) senderKeys.set(`n:${sender.from}`, key);
  if (sender.userId) senderKeys.set(`u:${sender.userId}`, key);
}

/**
 * findWhatsAppMember, and whether updates may be held for the member (whatsapp/dispatcher.ts holds
 * them only behind a template sent since the member last wrote: `templateAt` not before the stored
 * `lastInboundAt`, as read before this message), so the channel lets them go only then.
 */
export async function findWhatsAppSender(sender: WhatsAppSender, now: Date): Promise<{ member: MemberView; mayHaveHeld: boolean } | null> {
  if (!sender.from && !sender.userId) return null;
  // Read first (from memory when this number's member was read lately and nothing wrote to the
  // record since), then write only what changed, by telegramId: a write the member cache can pin
  // to this member (domain/members.ts) instead of one that drops every member's entry in every process.
  const { linked, byPhone } = await lookUp(sender);
  if (linked) {
    const wa = linked.whatsapp;
    const fresh = wa?.lastInboundAt && now.getTime() - wa.lastInboundAt.getTime() < LAST_INBOUND_WRITE_MS;
    const same = linked.channel === "whatsapp" && (!sender.from || wa?.waId === sender.from) && (!sender.userId || wa?.userId === sender.userId);
    const mayHaveHeld = Boolean(wa?.templateAt && (!wa.lastInboundAt || wa.templateAt >= wa.lastInboundAt));
    if (fresh && same) return { member: toView(linked), mayHaveHeld };
    const set = {
      "whatsapp.lastInboundAt": now,
      channel: "whatsapp",
      ...(sender.from ? { "whatsapp.waId": sender.from } : {}),
      ...(sender.userId ? { "whatsapp.userId": sender.userId } : {}),
    };
    const stamp = linkedCache.stampFor(linked.telegramId);
    // By _id alone (FerretDB v1 serves no other filter from an index, and scans every member for
    // `erasedAt` beside it); a record erased since it was read gets its WhatsApp link taken off again.
    const keyOf = { [WATCH_KEY]: linked.telegramId };
    let updated = await Member.findOneAndUpdate({ _id: linked._id }, { $set: set }, { returnDocument: "after" }).setOptions(keyOf).lean();
    if (updated?.erasedAt) {
      await Member.updateOne({ _id: linked._id }, { $unset: { whatsapp: 1, channel: 1 } }).setOptions(keyOf);
      updated = null;
    }
    if (updated) remember(sender, updated, () => linkedCache.setOwnWrite(linked.telegramId, updated, stamp, WATCHED_WRITE_INVALIDATIONS));
    return updated ? { member: toView(updated), mayHaveHeld } : null;
  }
  // The same number as a registered member's, verified there too: linked now.
  if (!byPhone) return null;
  const link = { whatsapp: { waId: sender.from, ...(sender.userId ? { userId: sender.userId } : {}), linkedAt: now, lastInboundAt: now }, channel: "whatsapp" };
  const stamp = linkedCache.stampFor(byPhone.telegramId);
  const updated = await Member.findOneAndUpdate({ telegramId: byPhone.telegramId, whatsapp: { $exists: false } }, { $set: link }, { returnDocument: "after" }).lean();
  if (updated) remember(sender, updated, () => linkedCache.setOwnWrite(updated.telegramId, updated, stamp, WATCHED_WRITE_INVALIDATIONS));
  // Just linked: nothing was ever held for them on WhatsApp.
  return updated ? { member: toView(updated), mayHaveHeld: false } : null;
}

/**
 * A registered member whose phone, typed on Telegram (not verified), is this WhatsApp number: the
 * person here is asked whether that is them before anything is linked (someone may have typed a
 * number that is not theirs). Null when there is none.
 */
export async function typedPhoneMatch(from: string): Promise<{ memberId: string; name: string } | null> {
  const phone = normalizeContactPhone(from);
  if (!phone) return null;
  const doc = await Member.findOne({ phone, phoneVerifiedAt: null, registeredAt: { $exists: true }, erasedAt: { $exists: false }, whatsapp: { $exists: false } }, { name: 1 })
    .sort({ registeredAt: 1 })
    .lean();
  return doc ? { memberId: String(doc._id), name: doc.name ?? "" } : null;
}

/** The person confirmed it is them: the member is linked to this WhatsApp number, and the phone counts as verified. */
export async function linkConfirmed(memberId: string, sender: { from: string; userId?: string }, now: Date): Promise<MemberView | null> {
  const doc = await Member.findOneAndUpdate(
    { _id: memberId, phone: normalizeContactPhone(sender.from), erasedAt: { $exists: false }, whatsapp: { $exists: false } },
    {
      $set: {
        whatsapp: { waId: sender.from, ...(sender.userId ? { userId: sender.userId } : {}), linkedAt: now, lastInboundAt: now },
        channel: "whatsapp",
        phoneVerifiedAt: now,
      },
    },
    { returnDocument: "after" },
  ).lean();
  return doc ? toView(doc) : null;
}

/**
 * A member who registers on WhatsApp (registration-machine.ts): keyed by a number from the range
 * Telegram never uses (member-keys.ts), their phone the number Meta verified, their updates on
 * WhatsApp. The same message handled twice registers once (the number is linked by then).
 */
export async function registerWhatsAppMember(sender: { from: string; userId?: string }, data: Omit<Registration, "phone">, now: Date, locale: Locale): Promise<MemberView> {
  const known = await findWhatsAppMember(sender, now);
  if (known?.registered) return known;
  const phone = normalizeContactPhone(sender.from) ?? `+${sender.from}`;
  const key =
    known?.telegramId ?? whatsappOnlyKey((await Counter.findOneAndUpdate({ _id: "whatsapp-member" }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: "after" }).lean())!.seq);
  const view = await registerMember(key, { ...data, phone, phoneVerified: true }, now, locale);
  await Member.updateOne(
    { telegramId: key },
    { $set: { whatsapp: { waId: sender.from, ...(sender.userId ? { userId: sender.userId } : {}), linkedAt: now, lastInboundAt: now }, channel: "whatsapp" } },
  );
  return { ...view, channel: "whatsapp" };
}

/**
 * Someone registers on Telegram with a verified phone (the contact button) that a member who
 * registered on WhatsApp has: the same person, one member. The WhatsApp member's record, requests,
 * queued messages and stored media move to the Telegram id (the record last, so a failure part way
 * leaves it findable and a second try finishes the move). Returns whether a member was taken over.
 */
export async function adoptWhatsAppMember(telegramId: number, phone: string, now: Date): Promise<boolean> {
  const own = await Member.findOne({ telegramId }, { registeredAt: 1, erasedAt: 1 }).lean();
  if (own?.registeredAt && !own.erasedAt) return false;
  const wa = await Member.findOne({ phone, telegramId: { $lte: WHATSAPP_KEY_BASE }, registeredAt: { $exists: true }, erasedAt: { $exists: false } }, { telegramId: 1 })
    .sort({ registeredAt: 1 })
    .lean();
  if (!wa) return false;
  const key = wa.telegramId;
  await Request.updateMany({ memberTelegramId: key }, { $set: { memberTelegramId: telegramId } });
  await Outbox.updateMany({ chatId: key, status: "pending" }, { $set: { chatId: telegramId } });
  await WhatsAppMedia.updateMany({ memberKey: key }, { $set: { memberKey: telegramId } });
  // The guest record this user had (a language chosen before registering) gives way.
  if (own) await Member.deleteOne({ telegramId, registeredAt: { $exists: false } });
  await Member.updateOne({ _id: wa._id }, { $set: { telegramId, channel: "telegram", phoneVerifiedAt: now } });
  return true;
}
