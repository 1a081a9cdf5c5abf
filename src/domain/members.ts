import { Types } from "mongoose";
import { Member, memberWrites } from "../db/models/member";
import { ReadCache } from "../lib/read-cache";
import { WATCHED_WRITE_INVALIDATIONS } from "../db/write-watch";
import { Sentra } from "../db/models/sentra";
import { audit } from "./audit";
import { releaseChairInApplications } from "./chair-requests";
import type { Kecamatan } from "../vocabulary/kecamatan";
import type { Locale } from "../config";
import type { MemberDoc } from "../db/models/member";
import type { Licence } from "../vocabulary/programs";

/** What the rest of the code sees of a member: plain data, safe to JSON-serialise. */
export interface MemberView {
  id: string;
  telegramId: number;
  locale?: Locale;
  registered: boolean;
  name?: string;
  phone?: string;
  businessName?: string;
  products?: string;
  kecamatan?: Kecamatan;
  sentraId?: string | null;
  sentraWish?: "join" | "form" | "later" | null;
  sentraVerified: boolean;
  /** The messenger the member last wrote on (updates go there). */
  channel: MemberChannel;
  /** The business's licences as answered (a program may require them): "yes" or "no" per licence. */
  licences?: Partial<Record<Licence, { has?: "yes" | "no" | null; number?: string | null } | null>>;
}

export type MemberChannel = "telegram" | "whatsapp";

export interface Registration {
  name: string;
  phone: string;
  /** The phone came verified (Telegram's own-contact button, WhatsApp's number), not typed. */
  phoneVerified?: boolean;
  businessName: string;
  products: string;
  kecamatan: Kecamatan;
  sentraId: string | null;
  sentraWish: "join" | "form" | "later" | null;
}

/** A member document as the rest of the code sees it. */
export function toView(doc: MemberDoc): MemberView {
  return {
    id: String(doc._id),
    telegramId: doc.telegramId,
    locale: doc.locale ?? undefined,
    registered: Boolean(doc.registeredAt) && !doc.erasedAt,
    name: doc.name ?? undefined,
    phone: doc.phone ?? undefined,
    businessName: doc.businessName ?? undefined,
    products: doc.products ?? undefined,
    kecamatan: doc.kecamatan ?? undefined,
    sentraId: doc.sentraId ? String(doc.sentraId) : null,
    sentraWish: doc.sentraWish ?? null,
    sentraVerified: Boolean(doc.sentraVerifiedAt),
    channel: doc.channel === "whatsapp" ? "whatsapp" : "telegram",
    ...(doc.licences ? { licences: doc.licences as MemberView["licences"] } : {}),
  };
}

export async function findMemberByTelegramId(telegramId: number): Promise<MemberView | null> {
  const doc = await Member.findOne({ telegramId }).lean();
  return doc ? toView(doc) : null;
}

/**
 * The sender's record is needed on every update; most updates change nothing about members, so it
 * is cached (also "unknown"). A write to members through mongoose drops the member it names by
 * telegramId, or, when the filter does not say (by _id, many members), the whole cache.
 */
const memberCache = new ReadCache<number, MemberView | null>({ max: 10_000, ttlMs: 5 * 60_000, version: () => memberWrites.version });
memberWrites.onKeyedWrite((telegramId) => memberCache.invalidate(Number(telegramId)));

/** Like findMemberByTelegramId, from the cache when possible (copies, so callers may mutate). */
export async function findMemberCached(telegramId: number): Promise<MemberView | null> {
  const member = await memberCache.getOrLoad(telegramId, () => findMemberByTelegramId(telegramId));
  return member && { ...member };
}

/** What the cache knows right now (no database access): undefined when it does not know. */
export function peekCachedMember(telegramId: number): MemberView | null | undefined {
  return memberCache.get(telegramId)?.value;
}

export async function findMemberById(id: string): Promise<MemberView | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  const doc = await Member.findById(id).lean();
  return doc ? toView(doc) : null;
}

/** Records that the member wrote on Telegram again (updates about their requests come back there). */
export async function useTelegramChannel(telegramId: number): Promise<void> {
  await Member.updateOne({ telegramId, channel: "whatsapp" }, { $set: { channel: "telegram" } });
}

/** Stores the language a user chose (also before registration). */
export async function setMemberLocale(telegramId: number, locale: Locale): Promise<void> {
  await Member.updateOne({ telegramId }, { $set: { locale } }, { upsert: true });
}

/**
 * Saves (or updates) a member's registration. Idempotent: the same data twice gives one member.
 * The sentra verification is kept only while the member stays in the same sentra.
 */
export async function registerMember(telegramId: number, data: Registration, now: Date, locale?: Locale): Promise<MemberView> {
  const stamp = memberCache.stampFor(telegramId);
  const existing = await Member.findOne({ telegramId }).lean();
  const sameSentra = existing?.sentraId && data.sentraId && String(existing.sentraId) === data.sentraId;
  const doc = await Member.findOneAndUpdate(
    { telegramId },
    {
      $set: {
        name: data.name,
        phone: data.phone,
        phoneVerifiedAt: data.phoneVerified ? now : existing?.phone === data.phone && !existing.erasedAt ? (existing.phoneVerifiedAt ?? null) : null,
        businessName: data.businessName,
        products: data.products,
        kecamatan: data.kecamatan,
        sentraId: data.sentraId ? new Types.ObjectId(data.sentraId) : null,
        sentraWish: data.sentraId ? null : data.sentraWish,
        sentraVerifiedAt: sameSentra ? (existing?.sentraVerifiedAt ?? null) : null,
        registeredAt: existing?.registeredAt && !existing.erasedAt ? existing.registeredAt : now,
        consentAt: existing?.consentAt && !existing.erasedAt ? existing.consentAt : now,
        ...(locale && !existing?.locale ? { locale } : {}),
      },
      $unset: { erasedAt: 1 },
    },
    { upsert: true, returnDocument: "after", lean: true },
  );
  if (!doc) throw new Error("member upsert returned no document");
  const view = toView(doc);
  // The member's next message finds the record in memory (the write dropped the old one).
  // One upsert through the watched Member model since the stamp.
  memberCache.setOwnWrite(telegramId, { ...view }, stamp, WATCHED_WRITE_INVALIDATIONS);
  // A chairperson who leaves their sentra no longer chairs it.
  if (existing?.sentraId && !sameSentra) {
    const left = await Sentra.updateOne({ _id: existing.sentraId, chairpersonTelegramId: telegramId }, { $set: { chairpersonTelegramId: null } });
    if (left.modifiedCount > 0) {
      await audit(telegramId, "chairperson.left_sentra", { sentraId: String(existing.sentraId), newSentraId: data.sentraId }, now);
      await releaseChairInApplications(telegramId);
    }
  }
  return view;
}

/** Names and businesses of members by id (as shown to their sentra's chairperson); erased ones are left out. */
export async function memberLabels(ids: string[]): Promise<Map<string, { name: string; businessName: string }>> {
  const valid = [...new Set(ids)].filter((id) => Types.ObjectId.isValid(id));
  const docs = await Member.find({ _id: { $in: valid }, erasedAt: null }, { name: 1, businessName: 1 }).lean();
  return new Map(docs.filter((d) => d.name).map((d) => [String(d._id), { name: d.name ?? "", businessName: d.businessName ?? "" }]));
}
