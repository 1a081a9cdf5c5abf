/**
 * What members hear about a program, all through the outbox (kind "program", on the channel each
 * member last wrote on, within the senders' limits), each at most once per member by its dedupe
 * key: the announcement to everyone it is for (queued in batches, and finished after a crash by
 * resumeAnnouncements), a seat freed for someone waiting, a change of date or place, a
 * cancellation, and the reminders the working day before and on the morning of each session.
 * The messages are written when sent, from the program as it is then (telegram/program-messages.ts).
 */
import { Types } from "mongoose";
import { Program, type ProgramDoc } from "../db/models/program";
import { enqueue } from "./outbox";
import { audienceOf, toProgramView } from "./programs";
import { participants } from "./program-seats";
import { isWorkingDay, witaDay, type Calendar } from "./working-days";
import type { ScheduledJob } from "./scheduler";
import type { ProgramEvent } from "../vocabulary/programs";

export type { ProgramEvent };

/** Announcements queued per round trip. */
const ANNOUNCE_BATCH = 500;

/** Queues one event for these members; `variant` tells apart two events of a kind (two changes, two days' reminders). Returns how many were new. */
export async function queueProgramNotice(programId: string, members: number[], event: ProgramEvent, now: Date, variant?: string): Promise<number> {
  let added = 0;
  for (let i = 0; i < members.length; i += ANNOUNCE_BATCH) {
    const items = members.slice(i, i + ANNOUNCE_BATCH).map((chat) => ({
      kind: "program" as const,
      chat,
      priority: event === "announce" ? 6 : 5,
      message: { type: "program" as const, programId, event },
      dedupeKey: `program:${programId}:${event}${variant ? `:${variant}` : ""}:${chat}`,
    }));
    added += await enqueue(items, now);
  }
  return added;
}

/** Tells everyone the program is for (again after a crash part way: those already queued are skipped). Returns how many were queued now. */
export async function announceProgram(programId: string, now: Date): Promise<number> {
  const doc = await Program.findById(programId).lean<ProgramDoc>();
  if (!doc || doc.status !== "open") return 0;
  const members = await audienceOf(toProgramView(doc));
  const added = await queueProgramNotice(programId, members, "announce", now);
  await Program.updateOne({ _id: doc._id }, { $set: { announcedAt: now, announced: members.length } });
  return added;
}

/** Programs whose announcement was not finished (the process stopped part way): finished now. */
export async function resumeAnnouncements(now: Date): Promise<number> {
  const pending = await Program.find({ status: "open", announcedAt: null }, { _id: 1 }).lean();
  let added = 0;
  for (const p of pending) added += await announceProgram(String(p._id), now);
  return added;
}

/** The next working day after `day` (a WITA "YYYY-MM-DD"). */
function nextWorkingDay(day: string, calendar: Calendar): string {
  let d = new Date(`${day}T12:00:00+08:00`);
  for (let i = 0; i < 30; i++) {
    d = new Date(d.getTime() + 86_400_000);
    if (isWorkingDay(d, calendar)) break;
  }
  return witaDay(d);
}

/**
 * The reminders of a day (the job runs each morning): to everyone with a seat, for a session
 * today, and for one on the next working day when today is a working day (so Friday reminds of Monday).
 */
export async function queueProgramReminders(now: Date, calendar: Calendar): Promise<{ today: number; before: number }> {
  const today = witaDay(now);
  const next = isWorkingDay(now, calendar) ? nextWorkingDay(today, calendar) : null;
  const open = await Program.find({ status: "open", "sessions.startsAt": { $gte: new Date(now.getTime() - 86_400_000) } }).lean<ProgramDoc[]>();
  const counts = { today: 0, before: 0 };
  for (const p of open) {
    const days = new Set(p.sessions.map((s) => witaDay(s.startsAt)));
    const seated = async () => (await participants(String(p._id), p.seats)).filter((x) => x.place.kind === "seat").map((x) => x.telegramId);
    if (days.has(today)) counts.today += await queueProgramNotice(String(p._id), await seated(), "reminder_today", now, today);
    // The day before only when that day is not itself the first reminder's (a session tomorrow and today both).
    if (next && days.has(next) && next !== today) counts.before += await queueProgramNotice(String(p._id), await seated(), "reminder_before", now, next);
  }
  return counts;
}

/** The reminders' daily run, for the scheduler (main.ts). */
export function programReminderJob(at = "07:00"): ScheduledJob {
  return { name: "program_reminders", at, workingDaysOnly: false, run: async (ctx) => queueProgramReminders(ctx.now, ctx.calendar) };
}

export function isProgramId(id: string): boolean {
  return Types.ObjectId.isValid(id);
}
