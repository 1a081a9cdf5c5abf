/**
 * Service levels of a request: which step is due when, derived from its status and timeline with the
 * working-day calendar, and stored on the request (`sla.*`) with every change (request-effects.ts
 * `commit`, requests.ts `saveRequest`) so the scheduled jobs find due and overdue requests by index.
 *
 *   diterima, nobody has it yet          -> "response": submission + responseDays
 *   claimed or reviewed (or back from the member, or any other open status)
 *                                        -> "followup": the latest of the first response and the
 *                                           last status change + followupDays
 *   ditindaklanjuti                      -> "finish": the later of the total target and the start
 *                                           of the follow-up + followupDays
 *   perlu_info                           -> "member": no due date for the office; the member is
 *                                           reminded after memberReminderDays
 *   selesai, ditolak                     -> nothing due
 *
 * No settings live here: every writer passes the service levels in force (config.sla, from the
 * environment; defaults in vocabulary/service-levels.ts) as a `ChangeBasis`, so a forgotten one is a
 * type error. The calendar comes from the `holidays` collection (holidays.ts, cached) unless passed.
 */
import type { SlaSettings } from "../config";
import { loadCalendar } from "./holidays";
import { isOpen, type Status } from "../vocabulary/statuses";
import type { DUE_STEPS } from "../db/models/request";
import { addWorkingDays, workingDaysBetween, witaDay, type Calendar } from "./working-days";

export type DueStep = (typeof DUE_STEPS)[number];

/** The request's service levels as stored (`sla.*` of a request). */
export interface SlaView {
  step: DueStep | null;
  dueAt: Date | null;
  targetAt: Date | null;
  infoAskedAt: Date | null;
  infoRemindedFor: Date | null;
  escalatedAt: Date | null;
}

/** The parts of a timeline entry a deadline depends on. */
export interface DeadlineEntry {
  at: Date;
  kind: string;
  role: string;
  to?: string | null;
}

/** What a change of a request is computed with: its time and the service levels in force. */
export interface ChangeBasis {
  /** The time of the change (the injected clock's). */
  now: Date;
  /** The service levels in force (config.sla). */
  sla: SlaSettings;
  /** The working-day calendar; read from the holidays collection (cached) when absent. */
  calendar?: Calendar;
}

/** What a deadline needs to know of a request. */
export interface DeadlineInput {
  status: Status;
  assigneeTelegramId: number | null;
  createdAt: Date;
  timeline: DeadlineEntry[];
}

export interface Deadline {
  step: DueStep | null;
  dueAt: Date | null;
  targetAt: Date;
  infoAskedAt: Date | null;
}

/** When the member filed it (the timeline's first entry; createdAt for a request without one). */
export function submittedAt(r: Pick<DeadlineInput, "createdAt" | "timeline">): Date {
  return r.timeline.find((e) => e.kind === "created")?.at ?? r.createdAt;
}

function later(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

/** The deadline of a request's current step (pure). */
export function computeDeadline(r: DeadlineInput, calendar: Calendar, sla: SlaSettings): Deadline {
  const filed = submittedAt(r);
  const targetAt = addWorkingDays(filed, sla.totalDays, calendar);
  if (!isOpen(r.status)) return { step: null, dueAt: null, targetAt, infoAskedAt: null };
  const statusEntries = r.timeline.filter((e) => e.kind === "status");
  const lastStatus = statusEntries.at(-1);
  if (r.status === "perlu_info") {
    const asked = [...statusEntries].reverse().find((e) => e.to === "perlu_info")?.at ?? lastStatus?.at ?? filed;
    return { step: "member", dueAt: null, targetAt, infoAskedAt: asked };
  }
  // The first response: a claim, or a status change by staff.
  const firstResponse = r.timeline.find((e) => e.kind === "claim" || (e.kind === "status" && e.role !== "member" && e.role !== "system"))?.at;
  if (r.status === "diterima" && r.assigneeTelegramId === null && !firstResponse) {
    return { step: "response", dueAt: addWorkingDays(filed, sla.responseDays, calendar), targetAt, infoAskedAt: null };
  }
  const start = later(firstResponse, lastStatus?.at) ?? filed;
  if (r.status === "ditindaklanjuti") {
    const own = addWorkingDays(start, sla.followupDays, calendar);
    return { step: "finish", dueAt: own.getTime() > targetAt.getTime() ? own : targetAt, targetAt, infoAskedAt: null };
  }
  return { step: "followup", dueAt: addWorkingDays(start, sla.followupDays, calendar), targetAt, infoAskedAt: null };
}

/** The `sla.*` fields a deadline writes. */
export interface DeadlineSet {
  "sla.step": DueStep | null;
  "sla.dueAt": Date | null;
  "sla.targetAt": Date;
  "sla.infoAskedAt": Date | null;
}

/**
 * The `$set` fields for a request about to be written as `r` (its status, assignee and timeline after
 * the change). Keeps what the jobs recorded (infoRemindedFor, escalatedAt).
 */
export async function deadlineFields(r: DeadlineInput, basis: Pick<ChangeBasis, "sla" | "calendar">): Promise<DeadlineSet> {
  const d = computeDeadline(r, basis.calendar ?? (await loadCalendar()), basis.sla);
  return { "sla.step": d.step, "sla.dueAt": d.dueAt, "sla.targetAt": d.targetAt, "sla.infoAskedAt": d.infoAskedAt };
}

/** How a request stands against its deadlines at `now` (for cards, lists and the jobs). */
export interface SlaStanding {
  /** Working days since it was filed. */
  ageDays: number;
  step: DueStep | null;
  dueAt: Date | null;
  /** Past its due date (the end of the due day has passed). */
  overdue: boolean;
  /** Working days past the due date (0 when not overdue). */
  overdueDays: number;
  /** Due by the end of today (WITA), not yet overdue. */
  dueToday: boolean;
  escalatedAt: Date | null;
}

export function slaStanding(r: { createdAt: Date; timeline: DeadlineInput["timeline"]; sla: SlaView }, now: Date, calendar: Calendar): SlaStanding {
  const dueAt = r.sla.dueAt;
  const overdue = dueAt !== null && now.getTime() > dueAt.getTime();
  return {
    ageDays: workingDaysBetween(submittedAt(r), now, calendar),
    step: r.sla.step,
    dueAt,
    overdue,
    overdueDays: overdue && dueAt ? workingDaysBetween(dueAt, now, calendar) : 0,
    dueToday: !overdue && dueAt !== null && witaDay(dueAt) === witaDay(now),
    escalatedAt: r.sla.escalatedAt,
  };
}

/**
 * Whether a closed request (selesai or ditolak at `closedAt`) was closed by its total target: null
 * while it is open or has no target. The one rule for the recap and the export.
 */
export function closedOnTime(closedAt: Date | null | undefined, targetAt: Date | null | undefined): boolean | null {
  if (!closedAt || !targetAt) return null;
  return closedAt.getTime() <= targetAt.getTime();
}
