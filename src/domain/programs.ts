/**
 * Programs: one training, aid or mentoring answering many members' requests (docs/ARCHITECTURE.md,
 * "Programs"). An officer or admin creates one (who it is for, when, where, how many seats, until
 * when, which licences it requires); the members it is for are told once through the outbox
 * (program-notices.ts) and register in one tap (program-seats.ts: seats first come first served,
 * then a waiting list); open requests it answers are linked to it and resolved when it is done.
 */
import { Types } from "mongoose";
import { Program, programWrites, type ProgramDoc } from "../db/models/program";
import { ReadCache } from "../lib/read-cache";
import { Member } from "../db/models/member";
import { Request } from "../db/models/request";
import { Counter } from "../db/models/counter";
import { isDuplicateKeyError } from "../db/errors";
import { OPEN_STATUSES } from "../vocabulary/statuses";
import { LICENCES, type Licence, type ProgramKind, type ProgramStatus } from "../vocabulary/programs";
import type { Kecamatan } from "../vocabulary/kecamatan";
import type { RequestType } from "../vocabulary/request-types";
import { witaDay } from "./working-days";
import { registrationsOf, seatOf, type Place } from "./program-seats";

export const PROGRAM_TITLE_MAX = 120;
export const PROGRAM_TEXT_MAX = 300;
export const PROGRAM_SEATS_MAX = 1000;
/** Sessions of one program (a day each, or part of one). */
export const PROGRAM_SESSIONS_MAX = 10;

export interface Audience {
  all: boolean;
  sentraIds: string[];
  kecamatan: Kecamatan[];
  requestTypes: RequestType[];
}

export interface ProgramInput {
  title: string;
  kind: ProgramKind;
  audience: Audience;
  sessions: { startsAt: Date; endsAt?: Date | null }[];
  place: string;
  location?: { latitude: number; longitude: number } | null;
  seats: number;
  deadline: Date;
  requires: Licence[];
  allowIncomplete: boolean;
  contact?: string | null;
}

export interface ProgramView extends ProgramInput {
  id: string;
  code: string;
  status: ProgramStatus;
  cancelReason: string | null;
  requestIds: string[];
  createdBy: number;
  announcedAt: Date | null;
}

export function toProgramView(doc: ProgramDoc): ProgramView {
  return {
    id: String(doc._id),
    code: doc.code,
    title: doc.title,
    kind: doc.kind,
    audience: {
      all: Boolean(doc.audience?.all),
      sentraIds: (doc.audience?.sentraIds ?? []).map(String),
      kecamatan: (doc.audience?.kecamatan ?? []) as Kecamatan[],
      requestTypes: (doc.audience?.requestTypes ?? []) as RequestType[],
    },
    sessions: doc.sessions.map((s) => ({ startsAt: s.startsAt, endsAt: s.endsAt ?? null })),
    place: doc.place,
    location:
      typeof doc.location?.latitude === "number" && typeof doc.location?.longitude === "number" ? { latitude: doc.location.latitude, longitude: doc.location.longitude } : null,
    seats: doc.seats,
    deadline: doc.deadline,
    requires: doc.requires as Licence[],
    allowIncomplete: Boolean(doc.allowIncomplete),
    contact: doc.contact ?? null,
    status: doc.status,
    cancelReason: doc.cancelReason ?? null,
    requestIds: doc.requestIds.map(String),
    createdBy: doc.createdBy,
    announcedAt: doc.announcedAt ?? null,
  };
}

export type ProgramProblem = "title" | "audience" | "sessions" | "session_past" | "place" | "seats" | "deadline" | "deadline_after_start" | "contact";

/** What is wrong with a program as entered (empty: nothing). */
export function programProblems(p: ProgramInput, now: Date): ProgramProblem[] {
  const problems: ProgramProblem[] = [];
  if (!p.title.trim() || p.title.length > PROGRAM_TITLE_MAX) problems.push("title");
  if (!p.audience.all && p.audience.sentraIds.length + p.audience.kecamatan.length + p.audience.requestTypes.length === 0) problems.push("audience");
  if (p.sessions.length === 0 || p.sessions.length > PROGRAM_SESSIONS_MAX || p.sessions.some((s) => s.endsAt && s.endsAt <= s.startsAt)) problems.push("sessions");
  else if (p.sessions.some((s) => s.startsAt <= now)) problems.push("session_past");
  if (!p.place.trim() || p.place.length > PROGRAM_TEXT_MAX) problems.push("place");
  if (!Number.isInteger(p.seats) || p.seats < 1 || p.seats > PROGRAM_SEATS_MAX) problems.push("seats");
  if (p.deadline <= now) problems.push("deadline");
  else if (p.sessions.length && p.deadline > firstStart(p)) problems.push("deadline_after_start");
  if (p.contact && p.contact.length > PROGRAM_TEXT_MAX) problems.push("contact");
  return problems;
}

export function firstStart(p: Pick<ProgramInput, "sessions">): Date {
  return new Date(Math.min(...p.sessions.map((s) => s.startsAt.getTime())));
}

/** "PRG-2612-001": the month it was created (WITA) and a number; the unique index decides. */
async function nextCode(now: Date): Promise<string> {
  const month = witaDay(now).slice(2, 7).replace("-", "");
  const c = await Counter.findOneAndUpdate({ _id: `program-${month}` }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: "after" }).lean();
  return `PRG-${month}-${String(c!.seq).padStart(3, "0")}`;
}

export async function createProgram(input: ProgramInput, createdBy: number, now: Date): Promise<ProgramView> {
  const problems = programProblems(input, now);
  if (problems.length) throw new RangeError(`program not valid: ${problems.join(", ")}`);
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await Program.create({
        ...input,
        code: await nextCode(now),
        audience: { ...input.audience, sentraIds: input.audience.sentraIds.map((id) => new Types.ObjectId(id)) },
        title: input.title.trim(),
        place: input.place.trim(),
        contact: input.contact?.trim() || null,
        createdBy,
        createdAt: now,
        updatedAt: now,
      });
      return toProgramView(doc.toObject() as unknown as ProgramDoc);
    } catch (err) {
      // Two programs got the same number (the counter is a hint on FerretDB v1): the next one.
      if (!isDuplicateKeyError(err) || attempt >= 5) throw err;
    }
  }
}

export async function findProgram(id: string): Promise<ProgramView | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  const doc = await Program.findById(id).lean<ProgramDoc>();
  return doc ? toProgramView(doc) : null;
}

const programCache = new ReadCache<string, ProgramView | null>({ max: 500, ttlMs: 60_000, version: () => programWrites.version });

/** findProgram from memory when possible (a member's tap, a notice sent): any write to programs drops it (callers must not change it). */
export function findProgramCached(id: string): Promise<ProgramView | null> {
  return programCache.getOrLoad(id, () => findProgram(id));
}

/** Programs not done or cancelled, soonest first; `all` includes the finished ones of the last 90 days. */
export async function listPrograms(now: Date, opts: { all?: boolean } = {}): Promise<ProgramView[]> {
  const filter = opts.all ? { updatedAt: { $gte: new Date(now.getTime() - 90 * 86_400_000) } } : { status: "open" as const };
  const docs = await Program.find(filter).sort({ deadline: 1 }).limit(50).lean<ProgramDoc[]>();
  return docs.map(toProgramView);
}

/** Whether the member is among those the program is for (their sentra, kecamatan, or an open request of its types). */
export async function isInAudience(p: Pick<ProgramView, "audience">, member: { telegramId: number; sentraId?: string | null; kecamatan?: string | null }): Promise<boolean> {
  const a = p.audience;
  if (a.all) return true;
  if (member.sentraId && a.sentraIds.includes(member.sentraId)) return true;
  if (member.kecamatan && (a.kecamatan as string[]).includes(member.kecamatan)) return true;
  if (a.requestTypes.length === 0) return false;
  return (await Request.exists({ memberTelegramId: member.telegramId, type: { $in: a.requestTypes }, status: { $in: OPEN_STATUSES } })) !== null;
}

/** The registered members the program is for (not erased), by Telegram id (WhatsApp-only members' keys included). */
export async function audienceOf(p: Pick<ProgramView, "audience">): Promise<number[]> {
  const a = p.audience;
  const registered = { registeredAt: { $exists: true }, erasedAt: { $exists: false } };
  const ids = new Set<number>();
  const or: object[] = [];
  if (a.all) or.push({});
  if (a.sentraIds.length) or.push({ sentraId: { $in: a.sentraIds.map((id) => new Types.ObjectId(id)) } });
  if (a.kecamatan.length) or.push({ kecamatan: { $in: a.kecamatan } });
  if (or.length) for (const m of await Member.find({ ...registered, $or: or }, { telegramId: 1 }).lean()) ids.add(m.telegramId);
  if (a.requestTypes.length) {
    const asking = await Request.distinct("memberTelegramId", { type: { $in: a.requestTypes }, status: { $in: OPEN_STATUSES }, memberTelegramId: { $ne: 0 } });
    const known = await Member.find({ ...registered, telegramId: { $in: asking } }, { telegramId: 1 }).lean();
    for (const m of known) ids.add(m.telegramId);
  }
  return [...ids].sort((x, y) => x - y);
}

/** The licences a program requires that the member has not (an unanswered one counts as missing, and is asked). */
export function missingLicences(requires: readonly Licence[], licences: Partial<Record<Licence, { has?: string | null } | null>> | null | undefined): Licence[] {
  return requires.filter((l) => licences?.[l]?.has !== "yes");
}

/** The licences the member has not answered yet (asked before registering for a program that requires them). */
export function unansweredLicences(requires: readonly Licence[], licences: Partial<Record<Licence, { has?: string | null } | null>> | null | undefined): Licence[] {
  return requires.filter((l) => !licences?.[l]?.has);
}

/**
 * Stores a licence answer on the member's profile: "yes" keeps a number given before (a tap does not
 * lose it) unless a new one comes; "no" drops it.
 */
export async function setLicence(telegramId: number, licence: Licence, has: "yes" | "no", number?: string): Promise<void> {
  if (!LICENCES.includes(licence)) throw new RangeError(`unknown licence ${licence}`);
  const at = `licences.${licence}`;
  const set = has === "no" ? { [at]: { has } } : { [`${at}.has`]: has, ...(number ? { [`${at}.number`]: number.slice(0, 40) } : {}) };
  // A licence stored as null (never answered, or cleared) cannot take a dotted path: set whole then.
  const res = await Member.updateOne({ telegramId, [at]: { $type: "object" } }, { $set: set });
  if (res.matchedCount === 0) await Member.updateOne({ telegramId }, { $set: { [at]: { has, ...(has === "yes" && number ? { number: number.slice(0, 40) } : {}) } } });
}

/**
 * How each licence's number is written: NIB 13 digits (OSS), SPP-PIRT 15 digits (P-IRT), the halal
 * certificate's id letters and digits (e.g. ID00110000123450821). `words`: how a member names it
 * when typing "NIB 1234567890123".
 */
const LICENCE_NUMBERS: Record<Licence, { words: RegExp; valid: RegExp }> = {
  nib: { words: /^nib$/i, valid: /^\d{13}$/ },
  spp_pirt: { words: /^(spp-?pirt|p-?irt|pirt)$/i, valid: /^\d{15}$/ },
  halal: { words: /^(halal|sertifikat halal)$/i, valid: /^[A-Z0-9][A-Z0-9./-]{4,39}$/i },
};

/**
 * A typed licence number ("NIB 1234567890123", "PIRT 2.05.1234.56.0789"): the licence and the
 * number (spaces and, for the digit-only ones, dots and dashes taken out), `invalid` when it names a
 * licence but the number is not in its form, null when the text is no such thing.
 */
export function parseLicenceNumber(text: string): { licence: Licence; number: string } | { licence: Licence; invalid: true } | null {
  const m = /^\s*(sertifikat halal|spp-?pirt|p-?irt|pirt|nib|halal)\s*[:=]?\s*(.+?)\s*$/i.exec(text);
  if (!m || m[2].length > 60) return null;
  const licence = LICENCES.find((l) => LICENCE_NUMBERS[l].words.test(m[1]));
  if (!licence) return null;
  const raw = m[2].replace(/\s+/g, "");
  const number = licence === "halal" ? raw.toUpperCase() : raw.replace(/[.-]/g, "");
  return LICENCE_NUMBERS[licence].valid.test(number) ? { licence, number } : { licence, invalid: true };
}

/** /program for a member: the open programs they may join (not yet registered), and those they are registered for with their place. */
export async function programsForMember(
  member: { telegramId: number; sentraId?: string | null; kecamatan?: string | null },
  now: Date,
): Promise<{ open: ProgramView[]; mine: { program: ProgramView; place: Place }[] }> {
  const programs = await listPrograms(now);
  const regs = new Map((await registrationsOf(member.telegramId)).map((r) => [r.programId, r.k]));
  const open: ProgramView[] = [];
  const mine: { program: ProgramView; place: Place }[] = [];
  for (const p of programs) {
    if (regs.has(p.id)) {
      const seat = await seatOf(p.id, member.telegramId, p.seats);
      if (seat) mine.push({ program: p, place: seat.place });
    } else if (p.deadline > now && (await isInAudience(p, member))) open.push(p);
  }
  return { open: open.slice(0, 8), mine };
}
