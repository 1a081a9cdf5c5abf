/**
 * What members and staff do with a program: a member registers (Daftar), says they cannot come,
 * or cancels until the deadline; a licence the program requires is asked once and kept. Staff link
 * open requests to it (they move to ditindaklanjuti, and the member is told), mark it done (the
 * linked requests of those who attended are resolved and go through the usual closure), change
 * its date or place, or cancel it (everyone registered is told). Who acts is the caller's checked
 * identity, never a button's data.
 */
import { Types } from "mongoose";
import { Program } from "../db/models/program";
import { Request } from "../db/models/request";
import { OPEN_STATUSES } from "../vocabulary/statuses";
import type { Licence } from "../vocabulary/programs";
import { findProgram, findProgramCached, isInAudience, missingLicences, unansweredLicences, type ProgramView } from "./programs";
import { findMemberCached } from "./members";
import { takeSeat, releaseSeat, releaseGuestSeat, seatOf, participants, movedUpBySeats, type Guest, type Place } from "./program-seats";
import { queueProgramNotice } from "./program-notices";
import { changeStatus, claimRequest, type Actor } from "./workflow";
import type { ChangeBasis } from "./deadlines";
import { audit } from "./audit";

export type JoinOutcome =
  | { kind: "registered" | "already"; program: ProgramView; place: Place; incomplete: boolean }
  | { kind: "ask_licence"; program: ProgramView; licence: Licence }
  | { kind: "missing"; program: ProgramView; missing: Licence[] }
  | { kind: "not_for_you" | "deadline" | "cancelled" | "done"; program: ProgramView }
  | { kind: "gone" };

/** Why a program takes no registration now (null: it does). */
function closedFor(p: ProgramView, now: Date): "cancelled" | "done" | "deadline" | null {
  if (p.status === "cancelled") return "cancelled";
  if (p.status === "done") return "done";
  return p.deadline <= now ? "deadline" : null;
}

/**
 * Daftar. The member must be among those it is for; a required licence not yet answered is asked
 * first (the answer is kept); one they lack refuses, unless the program allows "belum lengkap".
 * `by`: the chairperson registering a member of their sentra.
 */
export async function joinProgram(programId: string, telegramId: number, now: Date, opts: { by?: number } = {}): Promise<JoinOutcome> {
  const program = await findProgramCached(programId);
  if (!program) return { kind: "gone" };
  const closed = closedFor(program, now);
  if (closed) {
    // A registered member's tap after the deadline still shows their place.
    const existing = await seatOf(program.id, telegramId, program.seats);
    return existing ? { kind: "already", program, place: existing.place, incomplete: existing.incomplete } : { kind: closed, program };
  }
  const member = await findMemberCached(telegramId);
  if (!member?.registered || !(await isInAudience(program, { telegramId, sentraId: member.sentraId ?? null, kecamatan: member.kecamatan ?? null }))) {
    return { kind: "not_for_you", program };
  }
  const unanswered = unansweredLicences(program.requires, member.licences);
  if (unanswered.length && !opts.by) return { kind: "ask_licence", program, licence: unanswered[0] };
  const missing = missingLicences(program.requires, member.licences);
  if (missing.length && !program.allowIncomplete) return { kind: "missing", program, missing };
  // One insert and one count (a second tap finds the first registration instead).
  const r = await takeSeat(program.id, telegramId, program.seats, now, { incomplete: missing.length > 0, by: opts.by ?? null });
  return { kind: r.kind, program, place: r.place, incomplete: missing.length > 0 };
}

/** Whom a chairperson registers: a member of the sentra, or a person without a phone by name. */
export type Registrant = { telegramId: number } | { guest: Guest };

/**
 * A chairperson registers someone of their sentra (`/program`, *Daftarkan anggota*): a registered
 * member of the sentra (the program's rules as for the member's own tap; a licence not yet answered
 * counts as missing), or a person without a phone by name, on the chairperson's behalf. The caller
 * checked that `chair` chairs `sentraId`; the member's sentra is checked here.
 */
export async function registerFor(programId: string, chair: { telegramId: number; sentraId: string }, who: Registrant, now: Date): Promise<JoinOutcome> {
  const program = await findProgramCached(programId);
  if (!program) return { kind: "gone" };
  if ("telegramId" in who) {
    const member = await findMemberCached(who.telegramId);
    if (!member?.registered || member.sentraId !== chair.sentraId) return { kind: "not_for_you", program };
    const r = await joinProgram(programId, who.telegramId, now, { by: chair.telegramId });
    // The member is told, with their place and Batal ikut (once per registration: a new one after leaving is told again).
    if (r.kind === "registered") await queueProgramNotice(programId, [who.telegramId], "registered_by_chair", now, String(now.getTime()));
    return r;
  }
  const closed = closedFor(program, now);
  if (closed) return { kind: closed, program };
  const chairMember = await findMemberCached(chair.telegramId);
  if (!(await isInAudience(program, { telegramId: chair.telegramId, sentraId: chair.sentraId, kecamatan: chairMember?.kecamatan ?? null })))
    return { kind: "not_for_you", program };
  // Licences of a person without a record are unknown: registered as incomplete where the program allows.
  if (program.requires.length && !program.allowIncomplete) return { kind: "missing", program, missing: [...program.requires] };
  const incomplete = program.requires.length > 0;
  const r = await takeSeat(program.id, chair.telegramId, program.seats, now, { incomplete, by: chair.telegramId, guest: who.guest });
  return { kind: r.kind, program, place: r.place, incomplete };
}

export type LeaveOutcome = { kind: "left" | "not_registered" | "deadline" | "closed"; program: ProgramView } | { kind: "gone" };

/** Batal ikut, until the deadline. A seat it frees goes to the first on the waiting list, who is told. */
export async function leaveProgram(programId: string, telegramId: number, now: Date): Promise<LeaveOutcome> {
  const program = await findProgramCached(programId);
  if (!program) return { kind: "gone" };
  if (program.status !== "open") return { kind: "closed", program };
  if (program.deadline <= now) return { kind: "deadline", program };
  const r = await releaseSeat(program.id, telegramId, program.seats, now);
  if (!r) return { kind: "not_registered", program };
  if (r.movedUp !== null) await queueProgramNotice(program.id, [r.movedUp], "seat", now);
  return { kind: "left", program };
}

/**
 * A chairperson cancels a seat they took for someone without a phone (until the deadline, as a
 * member's own Batal ikut); the seat it frees goes to the first waiting, who is told. The caller
 * checked that `chair` chairs a sentra; the seat must be a guest's this chairperson registered.
 */
export async function cancelGuestSeat(programId: string, chair: number, k: number, now: Date): Promise<LeaveOutcome> {
  const program = await findProgramCached(programId);
  if (!program) return { kind: "gone" };
  if (program.status !== "open") return { kind: "closed", program };
  if (program.deadline <= now) return { kind: "deadline", program };
  const r = await releaseGuestSeat(program.id, chair, k, program.seats, now);
  if (!r) return { kind: "not_registered", program };
  if (r.movedUp !== null) await queueProgramNotice(program.id, [r.movedUp], "seat", now);
  return { kind: "left", program };
}

export interface ProgramChange {
  sessions?: ProgramView["sessions"];
  place?: string;
  seats?: number;
  deadline?: Date;
}

/** A change of date, place, seats or deadline: everyone registered (and waiting) is told; more seats move the first waiting up. */
export async function changeProgram(programId: string, change: ProgramChange, actorId: number, now: Date): Promise<ProgramView | null> {
  const before = await findProgram(programId);
  if (!before || before.status !== "open") return null;
  const set: Record<string, unknown> = { updatedAt: now };
  if (change.sessions) set.sessions = change.sessions;
  if (change.place) set.place = change.place.trim();
  if (change.seats) set.seats = change.seats;
  if (change.deadline) set.deadline = change.deadline;
  await Program.updateOne({ _id: new Types.ObjectId(programId) }, { $set: set });
  await audit(actorId, "program.change", { programId, fields: Object.keys(set).filter((k) => k !== "updatedAt") }, now);
  const everyone = (await participants(programId, before.seats)).map((p) => p.telegramId);
  if (change.sessions || change.place) await queueProgramNotice(programId, everyone, "changed", now, `${now.getTime()}`);
  if (change.seats) await queueProgramNotice(programId, await movedUpBySeats(programId, before.seats, change.seats), "seat", now);
  return findProgram(programId);
}

/** Cancels a program: everyone registered or waiting is told (with the reason). */
export async function cancelProgram(programId: string, reason: string, actorId: number, now: Date): Promise<ProgramView | null> {
  const program = await findProgram(programId);
  if (!program || program.status !== "open") return null;
  await Program.updateOne({ _id: new Types.ObjectId(programId) }, { $set: { status: "cancelled", cancelReason: reason.trim().slice(0, 300), updatedAt: now } });
  await audit(actorId, "program.cancel", { programId }, now);
  await queueProgramNotice(
    programId,
    (await participants(programId, program.seats)).map((p) => p.telegramId),
    "cancelled",
    now,
  );
  return findProgram(programId);
}

/** Open requests the program may answer: of its request types (any, when it names none) from the members it is for. */
export async function matchingRequests(program: ProgramView): Promise<{ id: string; code: string; memberTelegramId: number }[]> {
  const a = program.audience;
  const filter: Record<string, unknown> = { status: { $in: OPEN_STATUSES }, memberTelegramId: { $ne: 0 }, _id: { $nin: program.requestIds.map((id) => new Types.ObjectId(id)) } };
  if (a.requestTypes.length) filter.type = { $in: a.requestTypes };
  if (!a.all && (a.sentraIds.length || a.kecamatan.length)) {
    filter.$or = [
      ...(a.sentraIds.length ? [{ sentraId: { $in: a.sentraIds.map((id) => new Types.ObjectId(id)) } }] : []),
      ...(a.kecamatan.length ? [{ kecamatan: { $in: a.kecamatan } }] : []),
    ];
  }
  const rows = await Request.find(filter, { code: 1, memberTelegramId: 1 }).sort({ createdAt: 1 }).limit(100).lean();
  return rows.map((r) => ({ id: String(r._id), code: r.code, memberTelegramId: r.memberTelegramId }));
}

/**
 * Links requests to the program: each moves to ditindaklanjuti with the program in its note (the
 * member is told, as for any status change). Returns the requests linked now.
 */
export async function linkRequests(programId: string, requestIds: string[], actor: Actor, note: string, basis: ChangeBasis): Promise<string[]> {
  const linked: string[] = [];
  for (const id of requestIds) {
    if (!Types.ObjectId.isValid(id)) continue;
    let r = await changeStatus(id, actor, "ditindaklanjuti", note, basis);
    // Nobody had taken it yet: whoever links it takes it (as pressing a card's button would), then follows it up.
    if (!r.ok && r.reason === "not_allowed" && r.request?.assigneeTelegramId === null && (await claimRequest(id, actor, basis)).ok)
      r = await changeStatus(id, actor, "ditindaklanjuti", note, basis);
    // Already followed up (or in perlu_info): linked all the same, its status left as it is.
    const open = r.ok || (r.reason !== "not_found" && r.reason !== "closed" && r.request);
    if (!open) continue;
    await Program.updateOne({ _id: new Types.ObjectId(programId) }, { $addToSet: { requestIds: new Types.ObjectId(id) } });
    linked.push(id);
  }
  if (linked.length) await audit(actor.telegramId, "program.link", { programId, requests: linked.length }, basis.now);
  return linked;
}

/**
 * The program took place: done. The linked requests of members who attended are resolved (selesai,
 * then the member's closure confirmation and rating as usual); a member who did not attend keeps
 * their request open. Returns the requests resolved.
 */
export async function completeProgram(programId: string, actor: Actor, note: string, basis: ChangeBasis): Promise<string[] | null> {
  const program = await findProgram(programId);
  if (!program || program.status !== "open") return null;
  await Program.updateOne({ _id: new Types.ObjectId(programId) }, { $set: { status: "done", updatedAt: basis.now } });
  await audit(actor.telegramId, "program.done", { programId }, basis.now);
  const came = new Set((await participants(programId, program.seats)).filter((p) => p.place.kind === "seat" && p.attended === true).map((p) => p.telegramId));
  const resolved: string[] = [];
  for (const id of program.requestIds) {
    const r = await Request.findById(id, { memberTelegramId: 1, status: 1 }).lean();
    if (!r || !came.has(r.memberTelegramId) || !OPEN_STATUSES.includes(r.status)) continue;
    if ((await changeStatus(id, actor, "selesai", note, basis)).ok) resolved.push(id);
  }
  return resolved;
}
