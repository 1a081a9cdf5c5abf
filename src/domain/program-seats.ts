/**
 * Seats of a program, first come first served, without a lock and in two round trips: a
 * registration inserts the next free slot of the program (a unique `_id`: one winner per slot, also
 * on FerretDB v1), then counts the active registrations before it. Within the seats: a seat; beyond:
 * that place on the waiting list. A cancelled registration stays in its slot, renamed, so the next
 * one in line moves up by itself and is told (domain/programs.ts).
 *
 * In this process a program's registrations run one after the other (`serialLocally`), so a lower
 * slot is always stored before a higher one is counted; another process starts above every slot it
 * knows of and moves up past taken ones, so no slot is filled late below a counted one.
 */
import { Types } from "mongoose";
import { ProgramSeat } from "../db/models/program-seat";
import { isDuplicateKeyError } from "../db/errors";
import { serialLocally } from "./locks";

/** Where a member stands in a program. */
export type Place = { kind: "seat"; rank: number } | { kind: "waiting"; position: number };

export type RegisterOutcome = { kind: "registered"; place: Place; k: number } | { kind: "already"; place: Place; k: number };

/** The next slot to try, per program (from the last one taken here; else looked up once). */
const nextSlot = new Map<string, number>();
const SLOT_TRIES = 500;

const memberKey = (programId: string, telegramId: number) => `${programId}:${telegramId}`;

/** A person without a phone, registered by name by their chairperson. */
export interface Guest {
  name: string;
  business: string | null;
}
/** A guest's key: by the chairperson and the name as typed (any case, spaces folded), so a second entry finds the first. */
const guestKey = (programId: string, by: number, g: Guest) => `${programId}:g${by}:${g.name.toLowerCase().replace(/\s+/g, " ").trim()}`;

/** The member's place from their slot: the active registrations before it, against the seats. */
async function placeOf(programId: string, k: number, seats: number): Promise<Place> {
  const before = await ProgramSeat.countDocuments({ programId: new Types.ObjectId(programId), status: "active", k: { $lt: k } });
  return before < seats ? { kind: "seat", rank: before + 1 } : { kind: "waiting", position: before - seats + 1 };
}

async function firstFreeSlot(programId: string): Promise<number> {
  const known = nextSlot.get(programId);
  if (known !== undefined) return known;
  const last = await ProgramSeat.findOne({ programId: new Types.ObjectId(programId) }, { k: 1 })
    .sort({ k: -1 })
    .lean();
  return (last?.k ?? 0) + 1;
}

/**
 * Registers a member (idempotent: a second tap finds their registration). `seats` is the program's
 * as read by the caller; the place is told as it is now.
 */
export async function takeSeat(
  programId: string,
  telegramId: number,
  seats: number,
  now: Date,
  opts: { incomplete?: boolean; by?: number | null; guest?: Guest } = {},
): Promise<RegisterOutcome> {
  const key = opts.guest ? guestKey(programId, telegramId, opts.guest) : memberKey(programId, telegramId);
  return serialLocally(`program:${programId}`, async () => {
    let k = await firstFreeSlot(programId);
    for (let tries = 0; tries < SLOT_TRIES; tries++, k++) {
      try {
        await ProgramSeat.create({
          _id: `${programId}#${k}`,
          programId: new Types.ObjectId(programId),
          k,
          memberTelegramId: telegramId,
          memberKey: key,
          incomplete: opts.incomplete ?? false,
          registeredAt: now,
          by: opts.by ?? null,
          guest: opts.guest ?? null,
        });
        nextSlot.set(programId, k + 1);
        return { kind: "registered", place: await placeOf(programId, k, seats), k };
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        // The slot is taken, or the member is registered already (a second tap): which one?
        const mine = await ProgramSeat.findOne({ memberKey: key }, { k: 1 }).lean();
        if (mine) return { kind: "already", place: await placeOf(programId, mine.k, seats), k: mine.k };
      }
    }
    throw new Error(`no free slot found for program ${programId} after ${SLOT_TRIES} tries`);
  });
}

/** The member's active registration and place, or null. */
export async function seatOf(programId: string, telegramId: number, seats: number): Promise<{ k: number; place: Place; incomplete: boolean } | null> {
  const mine = await ProgramSeat.findOne({ memberKey: memberKey(programId, telegramId) }, { k: 1, incomplete: 1 }).lean();
  return mine ? { k: mine.k, place: await placeOf(programId, mine.k, seats), incomplete: mine.incomplete } : null;
}

/**
 * Cancels the member's registration. Returns the place they had (null: not registered) and, when
 * they had a seat and someone waited, who has that seat now.
 */
export async function releaseSeat(programId: string, telegramId: number, seats: number, now: Date): Promise<{ had: Place; movedUp: number | null } | null> {
  return release(programId, seats, now, async () => {
    const mine = await seatOf(programId, telegramId, seats);
    return mine ? { ...mine, key: memberKey(programId, telegramId) } : null;
  });
}

/** Cancels a guest's registration (seat number `k`) that the chairperson `by` made: null if there is no such one. */
export async function releaseGuestSeat(programId: string, by: number, k: number, seats: number, now: Date): Promise<{ had: Place; movedUp: number | null } | null> {
  return release(programId, seats, now, async () => {
    const doc = await ProgramSeat.findById(`${programId}#${k}`).lean();
    if (!doc || doc.status !== "active" || !doc.guest || doc.by !== by) return null;
    return { k, place: await placeOf(programId, k, seats), key: doc.memberKey };
  });
}

async function release(
  programId: string,
  seats: number,
  now: Date,
  find: () => Promise<{ k: number; place: Place; key: string } | null>,
): Promise<{ had: Place; movedUp: number | null } | null> {
  return serialLocally(`program:${programId}`, async () => {
    const mine = await find();
    if (!mine) return null;
    // By _id alone (the one filter FerretDB v1 answers from its index); the key renamed so they may register again.
    await ProgramSeat.updateOne({ _id: `${programId}#${mine.k}` }, { $set: { status: "cancelled", cancelledAt: now, memberKey: `${mine.key}:x${mine.k}` } });
    if (mine.place.kind !== "seat") return { had: mine.place, movedUp: null };
    // The first on the waiting list now holds the last seat.
    const next = await ProgramSeat.find({ programId: new Types.ObjectId(programId), status: "active" }, { memberTelegramId: 1, k: 1 })
      .sort({ k: 1 })
      .skip(seats - 1)
      .limit(1)
      .lean();
    const moved = next[0] && next[0].k > mine.k ? next[0].memberTelegramId : null;
    return { had: mine.place, movedUp: moved };
  });
}

/** The members who gained a seat when the seats went from `before` to `after` (more seats: the first waiting). */
export async function movedUpBySeats(programId: string, before: number, after: number): Promise<number[]> {
  if (after <= before) return [];
  const rows = await ProgramSeat.find({ programId: new Types.ObjectId(programId), status: "active" }, { memberTelegramId: 1 })
    .sort({ k: 1 })
    .skip(before)
    .limit(after - before)
    .lean();
  return rows.map((r) => r.memberTelegramId);
}

export interface Participant {
  telegramId: number;
  k: number;
  place: Place;
  incomplete: boolean;
  attended: boolean | null;
  by: number | null;
  registeredAt: Date;
  guest: Guest | null;
}

/** Everyone registered, in order: the seats, then the waiting list. */
export async function participants(programId: string, seats: number): Promise<Participant[]> {
  const rows = await ProgramSeat.find({ programId: new Types.ObjectId(programId), status: "active" })
    .sort({ k: 1 })
    .lean();
  return rows.map((r, i) => ({
    telegramId: r.memberTelegramId,
    k: r.k,
    place: i < seats ? { kind: "seat", rank: i + 1 } : { kind: "waiting", position: i - seats + 1 },
    incomplete: r.incomplete,
    attended: r.attended ?? null,
    by: r.by ?? null,
    registeredAt: r.registeredAt,
    guest: r.guest ? { name: r.guest.name, business: r.guest.business ?? null } : null,
  }));
}

/** Marks whether a participant came (by their slot: an update by _id). */
export async function markAttendance(programId: string, k: number, attended: boolean): Promise<boolean> {
  const res = await ProgramSeat.updateOne({ _id: `${programId}#${k}`, status: "active" }, { $set: { attended } });
  return res.matchedCount > 0;
}

/** The programs a member is registered for (active), with their slots. */
export async function registrationsOf(telegramId: number): Promise<{ programId: string; k: number }[]> {
  // Not the guests a chairperson registered (their seats carry the chairperson's id).
  const rows = await ProgramSeat.find({ memberTelegramId: telegramId, status: "active", guest: null }, { programId: 1, k: 1 }).lean();
  return rows.map((r) => ({ programId: String(r.programId), k: r.k }));
}
