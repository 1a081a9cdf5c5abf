/**
 * Chairpersons (ketua sentra): one per sentra, a registered member of that sentra. They see the
 * whole sentra's requests and vouch for members who say they belong to it.
 */
import { Types } from "mongoose";
import { Sentra } from "../db/models/sentra";
import { Member } from "../db/models/member";
import { ChairRequest } from "../db/models/chair-request";
import { audit } from "./audit";
import { withLock } from "./locks";
import { findSentra, type SentraView } from "./sentras";
import { enqueue } from "./outbox";
import { escapeRegex } from "../lib/text";
import type { Locale } from "../config";
import { inWita } from "../lib/time";
import { isDuplicateKeyError } from "../db/errors";
import type { MemberDoc } from "../db/models/member";

export type ChairResult = { ok: true; sentra: SentraView; previous: number | null } | { ok: false; reason: "no_sentra" | "not_member" };

/** One change of a sentra's chairperson at a time (an admin's /ketua and an approved application). */
const chairLock = <T>(sentraId: string, fn: () => Promise<T>) => withLock(`chair:${sentraId}`, fn);

/** Makes a registered member of the sentra its chairperson (replacing any previous one, returned as `previous`). */
export function setChairperson(sentraId: string, memberTelegramId: number, by: number, now: Date): Promise<ChairResult> {
  if (!Types.ObjectId.isValid(sentraId)) return Promise.resolve({ ok: false, reason: "no_sentra" });
  return chairLock(sentraId, () => setChairpersonLocked(sentraId, memberTelegramId, by, now));
}

/** setChairperson under the sentra's chair lock, which the caller holds. */
async function setChairpersonLocked(sentraId: string, memberTelegramId: number, by: number, now: Date): Promise<ChairResult> {
  const sentra = await findSentra(sentraId);
  // The chair as stored, not as cached: another process may have changed it.
  const stored = await Sentra.findById(sentraId, { chairpersonTelegramId: 1 }).lean();
  if (!sentra || !stored) return { ok: false, reason: "no_sentra" };
  const previous = stored.chairpersonTelegramId ?? null;
  const member = await Member.findOne({ telegramId: memberTelegramId, registeredAt: { $ne: null }, erasedAt: null }).lean();
  if (!member || String(member.sentraId) !== sentraId) return { ok: false, reason: "not_member" };
  await Sentra.updateOne({ _id: new Types.ObjectId(sentraId) }, { $set: { chairpersonTelegramId: memberTelegramId } });
  // The chairperson is by definition a confirmed member of the sentra.
  await Member.updateOne({ _id: member._id }, { $set: { sentraVerifiedAt: member.sentraVerifiedAt ?? now } });
  await audit(by, "chairperson.set", { sentraId, sentra: sentra.name, memberTelegramId, previous }, now);
  return { ok: true, sentra: { ...sentra, chairpersonTelegramId: memberTelegramId }, previous };
}

const membersOf = (sentraId: string) => ({ sentraId: new Types.ObjectId(sentraId), registeredAt: { $ne: null }, erasedAt: null });

/** How many registered members a sentra has. */
export function sentraMemberCount(sentraId: string): Promise<number> {
  return Member.countDocuments(membersOf(sentraId));
}

const MEMBER_FIELDS = { telegramId: 1, name: 1, businessName: 1, sentraVerifiedAt: 1 } as const;

const memberRow = (d: Pick<MemberDoc, "_id" | "telegramId" | "name" | "businessName" | "sentraVerifiedAt">) => ({
  id: String(d._id),
  telegramId: d.telegramId as number,
  name: (d.name ?? "") as string,
  businessName: (d.businessName ?? "") as string,
  verified: Boolean(d.sentraVerifiedAt),
});

export type SentraMemberRow = ReturnType<typeof memberRow>;

/** Registered members of a sentra, by name (for the chairperson's /anggota). */
export async function sentraMembers(sentraId: string, limit = 100): Promise<SentraMemberRow[]> {
  const docs = await Member.find(membersOf(sentraId), MEMBER_FIELDS).sort({ name: 1 }).limit(limit).lean();
  return docs.map(memberRow);
}

export const MEMBER_PAGE_SIZE = 10;

/**
 * One page of a sentra's registered members by name (for the admin's /ketua), only those whose name
 * or business contains `search` (any case) when given. A page past the end gives the last page.
 */
export async function sentraMembersPage(
  sentraId: string,
  page: number,
  search = "",
  size = MEMBER_PAGE_SIZE,
): Promise<{ members: SentraMemberRow[]; total: number; page: number; pages: number }> {
  const pattern = search ? new RegExp(escapeRegex(search), "i") : undefined;
  const filter = pattern ? { ...membersOf(sentraId), $or: [{ name: pattern }, { businessName: pattern }] } : membersOf(sentraId);
  const total = await Member.countDocuments(filter);
  const pages = Math.max(1, Math.ceil(total / size));
  const current = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const docs = await Member.find(filter, MEMBER_FIELDS)
    .sort({ name: 1, _id: 1 })
    .skip(current * size)
    .limit(size)
    .lean();
  return { members: docs.map(memberRow), total, page: current, pages };
}

export type VerifyResult = { ok: true; memberTelegramId: number; sentra: SentraView } | { ok: false; reason: "not_chair" | "no_member" | "already" };

/**
 * The chairperson confirms (or rejects) that a member belongs to the sentra. Only the chairperson of
 * the member's current sentra may do it; a rejected member is taken out of the sentra.
 */
export async function decideMembership(chairTelegramId: number, memberId: string, approve: boolean, now: Date): Promise<VerifyResult> {
  if (!Types.ObjectId.isValid(memberId)) return { ok: false, reason: "no_member" };
  const member = await Member.findById(memberId).lean();
  if (!member || !member.sentraId || !member.registeredAt || member.erasedAt) return { ok: false, reason: "no_member" };
  const sentra = await findSentra(String(member.sentraId));
  if (!sentra || sentra.chairpersonTelegramId !== chairTelegramId) return { ok: false, reason: "not_chair" };
  if (member.sentraVerifiedAt) return { ok: false, reason: "already" };
  const res = approve
    ? await Member.updateOne({ _id: member._id, sentraId: member.sentraId, sentraVerifiedAt: null }, { $set: { sentraVerifiedAt: now } })
    : await Member.updateOne({ _id: member._id, sentraId: member.sentraId, sentraVerifiedAt: null }, { $set: { sentraId: null, sentraWish: "join" } });
  if (res.modifiedCount === 0) return { ok: false, reason: "already" };
  await audit(chairTelegramId, approve ? "membership.approve" : "membership.reject", { memberId, sentraId: sentra.id }, now);
  return { ok: true, memberTelegramId: member.telegramId, sentra };
}

// ---- Messages about membership and chairpersons (queued in the outbox, so none is lost) ----

async function localeOf(telegramId: number): Promise<Locale | undefined> {
  return (await Member.findOne({ telegramId }, { locale: 1 }).lean())?.locale ?? undefined;
}

/**
 * After a member picks a sentra (onboarding or a data change), its chairperson is asked to confirm
 * them. Nothing happens for a sentra without a chairperson, for the chairperson themself, or for a
 * member already confirmed. Idempotent per member and sentra. The message names the member only by
 * id: it is written when sent (see reviewFacts), so an erased member is never shown.
 */
export async function queueMembershipReview(memberTelegramId: number, now: Date, fallback: Locale = "id"): Promise<boolean> {
  const member = await Member.findOne({ telegramId: memberTelegramId, registeredAt: { $ne: null }, erasedAt: null }).lean();
  if (!member?.sentraId) return false;
  if (member.sentraVerifiedAt) return false;
  const sentra = await findSentra(String(member.sentraId));
  if (!sentra?.chairpersonTelegramId || sentra.chairpersonTelegramId === memberTelegramId) return false;
  const added = await enqueue(
    [
      {
        kind: "membership",
        chat: sentra.chairpersonTelegramId,
        message: { type: "membership_review", memberId: String(member._id), sentraId: sentra.id, locale: fallback },
        dedupeKey: `membership:${String(member._id)}:${sentra.id}`,
      },
    ],
    now,
  );
  return added > 0;
}

/** What a chairperson's review of a member shows (null: the member is gone, erased or moved on). */
export async function reviewFacts(memberId: string, sentraId: string): Promise<{ name: string; business: string; products: string; sentra: string } | null> {
  if (!Types.ObjectId.isValid(memberId)) return null;
  const member = await Member.findOne({ _id: memberId, registeredAt: { $ne: null }, erasedAt: null }).lean();
  const sentra = await findSentra(sentraId);
  if (!member || !sentra || String(member.sentraId) !== sentra.id || member.sentraVerifiedAt) return null;
  return { name: member.name ?? "", business: member.businessName ?? "", products: member.products ?? "", sentra: sentra.name };
}

/** What the group's message about an application to chair shows (null: decided, or the member is gone). */
export async function applicationFacts(applicationId: string): Promise<{ name: string; business: string; sentra: string; hasChair: boolean } | null> {
  if (!Types.ObjectId.isValid(applicationId)) return null;
  const application = await ChairRequest.findById(applicationId).lean();
  if (!application) return null;
  const member = await Member.findOne({ _id: application.memberId, registeredAt: { $ne: null }, erasedAt: null }).lean();
  const sentra = await findSentra(String(application.sentraId));
  if (!member || !sentra) return null;
  return { name: member.name ?? "", business: member.businessName ?? "", sentra: sentra.name, hasChair: Boolean(sentra.chairpersonTelegramId) };
}

/** The language to write to someone in: their stored choice, else `fallback`. */
export async function recipientLocale(telegramId: number, fallback: Locale = "id"): Promise<Locale> {
  return (await localeOf(telegramId)) ?? fallback;
}

/** A short message to a member about their sentra, in the member's language (via the outbox). */
export async function queueMemberNotice(memberTelegramId: number, key: string, vars: Record<string, string>, now: Date): Promise<void> {
  await enqueue([{ kind: "membership", chat: memberTelegramId, message: { type: "text", key, vars } }], now);
}

/** The pending application of a member for a sentra as it is now (created when new). */
async function pendingChairRequest(memberId: Types.ObjectId, sentraId: string, previousChair: number | null): Promise<string> {
  const filter = { memberId, sentraId: new Types.ObjectId(sentraId), previousChair };
  try {
    const doc = await ChairRequest.findOneAndUpdate(filter, { $setOnInsert: filter }, { upsert: true, returnDocument: "after", lean: true });
    return String(doc!._id);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    return String((await ChairRequest.findOne(filter, { _id: 1 }).lean())!._id); // a concurrent upsert won
  }
}

/**
 * A member asks to chair their sentra: the officers' group (or, before it is linked, each admin)
 * gets Setujui / Tolak buttons for a pending application. Returns "no_sentra" when the member is in
 * no sentra, "already" when they chair it already.
 */
export async function queueChairRequest(
  memberTelegramId: number,
  groupId: number | undefined,
  adminIds: readonly number[],
  now: Date,
): Promise<"queued" | "no_sentra" | "already"> {
  const member = await Member.findOne({ telegramId: memberTelegramId, registeredAt: { $ne: null }, erasedAt: null }).lean();
  if (!member?.sentraId) return "no_sentra";
  const sentra = await findSentra(String(member.sentraId));
  if (!sentra) return "no_sentra";
  if (sentra.chairpersonTelegramId === memberTelegramId) return "already";
  const pendingId = await pendingChairRequest(member._id, sentra.id, sentra.chairpersonTelegramId);
  // Asking again the same day (WITA) does not post the application again.
  const key = `chairreq:${pendingId}:${inWita(now).format("YYYY-MM-DD")}`;
  const targets: (number | "group")[] = groupId !== undefined ? ["group"] : [...adminIds];
  await enqueue(
    targets.map((chat) => ({ kind: "membership" as const, chat, message: { type: "chair_request" as const, applicationId: pendingId }, dedupeKey: `${key}:${chat}` })),
    now,
  );
  await audit(memberTelegramId, "chairperson.request", { sentraId: sentra.id }, now);
  return "queued";
}

/** On approval, `chair` is the new chairperson and `previous` the one replaced (whose menus change). */
export type ChairDecision = { ok: true; name: string; sentra: string; chair?: number; previous?: number | null } | { ok: false; reason: "decided" | "stale" };

/**
 * An officer or admin decides on a chair application (the caller checked who they are). The
 * application is taken once: a second press, or a press on another copy of the message, finds it
 * gone. A stale one (the member left that sentra, or its chairperson changed since) does nothing.
 */
export async function decideChairRequest(pendingId: string, approve: boolean, by: number, now: Date): Promise<ChairDecision> {
  if (!Types.ObjectId.isValid(pendingId)) return { ok: false, reason: "decided" };
  const first = await ChairRequest.findById(pendingId, { sentraId: 1 }).lean();
  if (!first) return { ok: false, reason: "decided" };
  // One decision per sentra at a time (and no /ketua meanwhile): two applications approved at once
  // cannot both win. The application goes once the decision is written, so an error in between
  // leaves it to be decided again.
  return chairLock(String(first.sentraId), async (): Promise<ChairDecision> => {
    const pending = await ChairRequest.findById(pendingId).lean();
    if (!pending) return { ok: false, reason: "decided" };
    const taken = () => ChairRequest.deleteOne({ _id: pending._id });
    const sentraId = String(pending.sentraId);
    const [member, current] = await Promise.all([
      Member.findOne({ _id: pending.memberId, registeredAt: { $ne: null }, erasedAt: null }).lean(),
      Sentra.findById(pending.sentraId, { chairpersonTelegramId: 1 }).lean(), // not the cache: another process may have changed it
    ]);
    const sentra = await findSentra(sentraId);
    if (!member || !sentra || !current || String(member.sentraId) !== sentraId || (current.chairpersonTelegramId ?? null) !== pending.previousChair) {
      await taken();
      return { ok: false, reason: "stale" };
    }
    let changed: { chair: number; previous: number | null } | undefined;
    if (approve) {
      const r = await setChairpersonLocked(sentraId, member.telegramId, by, now);
      if (!r.ok) {
        await taken();
        return { ok: false, reason: "stale" };
      }
      changed = { chair: member.telegramId, previous: r.previous };
    } else {
      await audit(by, "chairperson.request_rejected", { sentraId, memberTelegramId: member.telegramId }, now);
    }
    await taken();
    await queueMemberNotice(member.telegramId, approve ? "admin.you_are_chair" : "membership.chair_rejected", { sentra: sentra.name }, now);
    return { ok: true, name: member.name ?? "", sentra: sentra.name, ...changed };
  });
}
