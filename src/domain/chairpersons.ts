/**
 * Chairpersons (ketua sentra): one per sentra, a registered member of that sentra. They see the
 * whole sentra's requests and vouch for members who say they belong to it.
 */
import { Types } from "mongoose";
import { Sentra } from "../db/models/sentra";
import { Member } from "../db/models/member";
import { audit } from "./audit";
import { findSentra, type SentraView } from "./sentras";

export type ChairResult = { ok: true; sentra: SentraView } | { ok: false; reason: "no_sentra" | "not_member" };

/** The sentra `telegramId` chairs, if any. */
export async function sentraChairedBy(telegramId: number): Promise<SentraView | null> {
  const doc = await Sentra.findOne({ chairpersonTelegramId: telegramId, active: true }, { _id: 1 }).lean();
  return doc ? findSentra(String(doc._id)) : null;
}

/** Makes a registered member of the sentra its chairperson (replacing any previous one). */
export async function setChairperson(sentraId: string, memberTelegramId: number, by: number, now = new Date()): Promise<ChairResult> {
  const sentra = await findSentra(sentraId);
  if (!sentra) return { ok: false, reason: "no_sentra" };
  const member = await Member.findOne({ telegramId: memberTelegramId, registeredAt: { $ne: null }, erasedAt: null }).lean();
  if (!member || String(member.sentraId) !== sentraId) return { ok: false, reason: "not_member" };
  await Sentra.updateOne({ _id: new Types.ObjectId(sentraId) }, { $set: { chairpersonTelegramId: memberTelegramId } });
  // The chairperson is by definition a confirmed member of the sentra.
  await Member.updateOne({ _id: member._id }, { $set: { sentraVerifiedAt: member.sentraVerifiedAt ?? now } });
  await audit(by, "chairperson.set", { sentraId, sentra: sentra.name, memberTelegramId, previous: sentra.chairpersonTelegramId }, now);
  return { ok: true, sentra: { ...sentra, chairpersonTelegramId: memberTelegramId } };
}

/** Registered members of a sentra, by name (for the chairperson's /anggota and the admin's /ketua). */
export async function sentraMembers(sentraId: string, limit = 100) {
  const docs = await Member.find(
    { sentraId: new Types.ObjectId(sentraId), registeredAt: { $ne: null }, erasedAt: null },
    { telegramId: 1, name: 1, businessName: 1, sentraVerifiedAt: 1 },
  )
    .sort({ name: 1 })
    .limit(limit)
    .lean();
  return docs.map((d) => ({
    id: String(d._id),
    telegramId: d.telegramId,
    name: d.name ?? "",
    businessName: d.businessName ?? "",
    verified: Boolean(d.sentraVerifiedAt),
  }));
}

export type VerifyResult = { ok: true; memberTelegramId: number; sentra: SentraView } | { ok: false; reason: "not_chair" | "no_member" | "already" };

/**
 * The chairperson confirms (or rejects) that a member belongs to the sentra. Only the chairperson of
 * the member's current sentra may do it; a rejected member is taken out of the sentra.
 */
export async function decideMembership(chairTelegramId: number, memberId: string, approve: boolean, now = new Date()): Promise<VerifyResult> {
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
