/**
 * Who is in a program, as the office reads it: each registration (seat or waiting place, in order)
 * with the member's name, business, sentra and kecamatan, and the phone number only when asked for
 * (an admin in their private chat, as in the month's export). And the month's program figures for
 * the recap: programs held, registrations and attendance in them, requests they answered.
 */
import { Member } from "../db/models/member";
import { Program } from "../db/models/program";
import { ProgramSeat } from "../db/models/program-seat";
import { Request } from "../db/models/request";
import { Sentra } from "../db/models/sentra";
import { participants, type Participant } from "./program-seats";
import type { Licence } from "../vocabulary/programs";

export interface RosterRow extends Participant {
  name: string | null;
  businessName: string | null;
  sentraId: string | null;
  sentraName: string | null;
  kecamatan: string | null;
  /** Only when the roster was asked for with phones. */
  phone: string | null;
  /** The licences as the member answered them (with numbers where typed); null for a guest. */
  licences: Partial<Record<Licence, { has?: string | null; number?: string | null } | null>> | null;
}

/** The program's registrations in order (seats first), with the members' details: two reads. */
export async function programRoster(p: { id: string; seats: number }, opts: { includePhone: boolean }): Promise<RosterRow[]> {
  const list = await participants(p.id, p.seats);
  const docs = await Member.find(
    { telegramId: { $in: list.map((x) => x.telegramId) } },
    { telegramId: 1, name: 1, businessName: 1, sentraId: 1, kecamatan: 1, licences: 1, ...(opts.includePhone ? { phone: 1 } : {}) },
  ).lean();
  const byId = new Map(docs.map((d) => [d.telegramId, d]));
  const sentraIds = [...new Set(docs.map((d) => (d.sentraId ? String(d.sentraId) : null)).filter((x): x is string => x !== null))];
  const sentras = new Map((await Sentra.find({ _id: { $in: sentraIds } }, { name: 1 }).lean()).map((s) => [String(s._id), s.name]));
  return list.map((x) => {
    const m = byId.get(x.telegramId);
    // A guest is in their chairperson's sentra, under the name the chairperson gave.
    return {
      ...x,
      name: x.guest ? x.guest.name : (m?.name ?? null),
      businessName: x.guest ? x.guest.business : (m?.businessName ?? null),
      sentraId: m?.sentraId ? String(m.sentraId) : null,
      sentraName: m?.sentraId ? (sentras.get(String(m.sentraId)) ?? null) : null,
      kecamatan: m?.kecamatan ?? null,
      phone: opts.includePhone && !x.guest ? (m?.phone ?? null) : null,
      licences: x.guest ? null : ((m?.licences as RosterRow["licences"]) ?? null),
    };
  });
}

/** The registrations from one sentra: its members', and the guests its chairperson registered. */
export async function sentraRoster(p: { id: string; seats: number }, sentraId: string, chairTelegramId: number): Promise<RosterRow[]> {
  const rows = await programRoster(p, { includePhone: false });
  return rows.filter((r) => (r.guest ? r.by === chairTelegramId : r.sentraId === sentraId));
}

export interface ProgramFigures {
  /** Programs marked done whose first session fell in the range. */
  held: number;
  /** Seats taken in those programs (the waiting list not counted). */
  registered: number;
  /** Of them, marked as having come. */
  attended: number;
  /** Requests linked to those programs that the program resolved (status selesai). */
  requestsAnswered: number;
}

/** The figures of the programs held between `start` and `end` (their first session; UTC instants). */
export async function programFigures(start: Date, end: Date): Promise<ProgramFigures> {
  // Done programs are few (a few a month): filtered here, on their first session.
  const done = await Program.find({ status: "done" }, { seats: 1, requestIds: 1, sessions: 1 }).lean();
  const held = done.filter((p) => p.sessions[0] && p.sessions[0].startsAt >= start && p.sessions[0].startsAt < end);
  // Their active registrations in one read, in slot order: the first `seats` of each program are its seats.
  const seatsOf = new Map(held.map((p) => [String(p._id), p.seats]));
  const rows = held.length
    ? await ProgramSeat.find({ programId: { $in: held.map((p) => p._id) }, status: "active" }, { programId: 1, k: 1, attended: 1 })
        .sort({ programId: 1, k: 1 })
        .lean()
    : [];
  const taken = new Map<string, number>();
  let registered = 0;
  let attended = 0;
  for (const r of rows) {
    const id = String(r.programId);
    const n = (taken.get(id) ?? 0) + 1;
    taken.set(id, n);
    if (n > (seatsOf.get(id) ?? 0)) continue;
    registered++;
    if (r.attended === true) attended++;
  }
  const linked = held.flatMap((p) => p.requestIds);
  const requestsAnswered = linked.length ? await Request.countDocuments({ _id: { $in: linked }, status: "selesai" }) : 0;
  return { held: held.length, registered, attended, requestsAnswered };
}
