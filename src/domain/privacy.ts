/**
 * /hapusdata: a member's right to have their personal data deleted (UU PDP No. 27/2022). What goes:
 * name, phone, business name, products, language, kecamatan, sentra and every stored Telegram id of
 * theirs, their unfinished dialogue, their voice notes. What stays, anonymised: their requests, for the
 * office's statistics (type, status, sentra, kecamatan, dates, typed answers and photos of the
 * problem), no longer linked to any person; the officers' cards are edited to drop the name, and
 * nothing more is sent to the member about them. The member record itself stays as an empty stub with
 * `erasedAt`, so the requests still point at "a member who erased their data".
 */
import { Types } from "mongoose";
import { Member } from "../db/models/member";
import { Request } from "../db/models/request";
import { Sentra } from "../db/models/sentra";
import { AuditLog } from "../db/models/audit-log";
import { ConversationState } from "../db/models/conversation-state";
import { ChairRequest } from "../db/models/chair-request";
import { Confirmation } from "../db/models/confirmation";
import { WhatsAppSession } from "../db/models/whatsapp-session";
import { WhatsAppInbound } from "../db/models/whatsapp-inbound";
import { forgetStoredVoices } from "./stored-media";
import { releaseChairInApplications } from "./chair-requests";
import { forgetMemberInOutbox } from "./outbox";
import { forgetMemberChat, syncRequestEffects, withRequestLock } from "./request-effects";
import { STAFF_LOCALE } from "./officer-actions";
import { tFor } from "../i18n";
import { DIALOGUE_STATE_RETENTION_MS } from "./dialogue-states";
import { isDuplicateKeyError } from "../db/errors";

/** Telegram user ids are positive; stubs get a negative one (the field is unique and required). */
function placeholderTelegramId(now: Date): number {
  return -(now.getTime() * 1000 + Math.floor(Math.random() * 1000));
}

export interface ErasureResult {
  /** False when nothing about this Telegram user was stored. */
  erased: boolean;
  requestsAnonymised: number;
}

/** Whether anything personal about this Telegram user is stored (a member record of any kind). */
/** An erasure confirmation button older than this is refused (the member is asked to start again). */
export const ERASURE_CONFIRM_MS = 15 * 60 * 1000;

/** Whether an erasure button issued at `issuedMs` may still be pressed `now` (Telegram and WhatsApp alike). */
export function erasureConfirmValid(issuedMs: number, now: Date): boolean {
  return now.getTime() - issuedMs <= ERASURE_CONFIRM_MS && issuedMs <= now.getTime() + 60_000;
}

export async function hasPersonalData(telegramId: number): Promise<boolean> {
  return (await Member.exists({ telegramId })) !== null;
}

/**
 * Deletes what is stored about a guest who did not register: the record /bahasa makes to remember
 * a guest's language (telegramId and locale only). Called when a guest's registration ends without
 * consent (declined, cancelled, left): nothing about them stays. A registered member, a member
 * whose data was erased (a stub with another id) and a guest without a record are left alone.
 */
export async function forgetGuest(telegramId: number): Promise<boolean> {
  const res = await Member.deleteOne({ telegramId, registeredAt: null, consentAt: null, erasedAt: null });
  return res.deletedCount > 0;
}

/**
 * Deletes the language-only records of guests who never went on to register (see `forgetGuest`):
 * untouched for DIALOGUE_STATE_RETENTION_MS and without a dialogue in progress. Returns how many went.
 */
export async function purgeIdleGuests(now: Date): Promise<number> {
  const guest = { registeredAt: null, consentAt: null, erasedAt: null };
  const cutoff = new Date(now.getTime() - DIALOGUE_STATE_RETENTION_MS);
  const idle = await Member.find({ ...guest, updatedAt: { $lt: cutoff } }, { telegramId: 1 }).lean();
  if (idle.length === 0) return 0;
  const inDialogue = new Set((await ConversationState.find({ _id: { $in: idle.map((m) => String(m.telegramId)) } }, { _id: 1 }).lean()).map((d) => String(d._id)));
  const gone = idle.filter((m) => !inDialogue.has(String(m.telegramId))).map((m) => m._id);
  if (gone.length === 0) return 0;
  // Still untouched: a guest who chose a language since the read keeps it.
  return (await Member.deleteMany({ _id: { $in: gone }, ...guest, updatedAt: { $lt: cutoff } })).deletedCount;
}

/** Replaces `telegramId` by 0 wherever it appears as a value in a JSON text. */
function scrubJson(text: string, telegramId: number): string {
  try {
    return JSON.stringify(JSON.parse(text, (_k, v) => (v === telegramId ? 0 : v)));
  } catch {
    return text;
  }
}

/** Deletes the personal data of the member with this Telegram id and anonymises their requests. Idempotent. */
export async function eraseMemberData(telegramId: number, now: Date): Promise<ErasureResult> {
  const member = await Member.findOne({ telegramId }, { _id: 1, name: 1, phone: 1, businessName: 1, products: 1, whatsapp: 1 }).lean();
  await ConversationState.deleteOne({ _id: String(telegramId) });
  if (!member) return { erased: false, requestsAnonymised: 0 };

  const requests = await Request.find({ $or: [{ memberId: member._id }, { memberTelegramId: telegramId }] }, { _id: 1 }).lean();
  const chairRequests = await ChairRequest.find({ memberId: member._id }, { _id: 1 }).lean();
  const note = tFor(STAFF_LOCALE)("privacy.erased_note");
  for (const { _id } of requests) {
    const id = String(_id);
    // Under the request's lock: an officer may be changing the same request right now.
    await withRequestLock(id, async () => {
      const r = await Request.findById(_id, { timeline: 1, attachments: 1 }).lean();
      if (!r) return;
      const timeline: Record<string, unknown>[] = (r.timeline ?? []).map((e) => {
        const entry: Record<string, unknown> = { ...e, by: e.by === telegramId ? 0 : e.by };
        if (entry.sourceChatId === telegramId) delete entry.sourceChatId;
        if (Array.isArray(e.attachments)) entry.attachments = e.attachments.filter((a) => a.kind !== "voice");
        return entry;
      });
      // Tells the officers, and makes the card in their group be edited (it showed the name).
      timeline.push({ at: now, by: 0, role: "system", kind: "note", note });
      await Request.updateOne(
        { _id },
        {
          $set: {
            memberTelegramId: 0,
            timeline,
            // A voice identifies a person; photos show the problem and stay.
            attachments: (r.attachments ?? []).filter((a) => a.kind !== "voice"),
            // The key named the member's chat; it only has to stay unique.
            sourceKey: `erased:${id}`,
            memberUnreachableAt: now,
            effectsPending: true,
          },
        },
      );
    });
  }
  // What was queued for their chat, and which bot messages there belonged to which request; what was
  // queued elsewhere with their data in it (a chairperson's review, their chair application, a digest).
  await forgetMemberChat(telegramId);
  // What they wrote on WhatsApp, and the dialogue there.
  const wa = member.whatsapp;
  const senders = [...(wa?.waId ? [wa.waId] : []), ...(wa?.userId ? [`u:${wa.userId}`] : [])];
  await Promise.all([
    WhatsAppSession.deleteMany({ _id: { $in: [`member:${String(member._id)}`, ...senders.map((x) => `sender:${x}`)] } }),
    senders.length ? WhatsAppInbound.deleteMany({ sender: { $in: senders } }) : undefined,
    forgetStoredVoices(telegramId),
  ]);
  const phone = member.phone ?? "";
  await forgetMemberInOutbox({
    memberId: String(member._id),
    chairRequestIds: chairRequests.map((c) => String(c._id)),
    requestIds: requests.map((r) => String(r._id)),
    values: [member.name, member.businessName, member.products, phone, phone.replace(/^\+62/, "")].filter((v): v is string => Boolean(v)),
  });

  await Sentra.updateMany({ chairpersonTelegramId: telegramId }, { $set: { chairpersonTelegramId: null } });
  // Requests their chairperson filed for them keep no name or phone of theirs either.
  await Request.updateMany({ "onBehalf.memberId": member._id }, { $set: { "onBehalf.name": tFor(STAFF_LOCALE)("privacy.erased_name"), "onBehalf.phone": null } });
  // Their own chair applications go; others' applications named them as the chair to replace, and
  // that sentra has none now.
  await ChairRequest.deleteMany({ memberId: member._id });
  // Pending choices they made (e.g. a free message waiting to be sent to a request) hold their words.
  await Confirmation.deleteMany({ by: telegramId });
  await releaseChairInApplications(telegramId);
  const audits = await AuditLog.find({ $or: [{ by: telegramId }, { details: { $regex: String(telegramId) } }] }).lean();
  for (const a of audits) {
    await AuditLog.updateOne({ _id: a._id }, { $set: { by: a.by === telegramId ? 0 : a.by, details: scrubJson(a.details ?? "", telegramId) } });
  }

  for (let attempt = 0; ; attempt++) {
    try {
      await Member.updateOne(
        { _id: new Types.ObjectId(String(member._id)) },
        {
          $set: { telegramId: placeholderTelegramId(now), erasedAt: now, kecamatan: null, sentraId: null, sentraWish: null, sentraVerifiedAt: null },
          $unset: { name: 1, phone: 1, businessName: 1, products: 1, locale: 1, registeredAt: 1, consentAt: 1, whatsapp: 1 },
        },
      );
      break;
    } catch (err) {
      // Two erasures in the same millisecond drew the same placeholder: draw again.
      if (!isDuplicateKeyError(err) || attempt >= 5) throw err;
    }
  }
  // After the member record is gone, so the cards are rendered without the name.
  for (const { _id } of requests) await syncRequestEffects(String(_id), now);
  return { erased: true, requestsAnonymised: requests.length };
}
