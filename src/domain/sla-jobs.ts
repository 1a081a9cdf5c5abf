/**
 * The service-level jobs (scheduler.ts runs them on working days at DIGEST_TIME, WITA):
 *
 * - sla_digest: one digest in the officers' group (overdue, due today, not taken yet, waiting for
 *   the member) and, privately to each officer, their own overdue requests; the cards of overdue and
 *   due-today requests are refreshed so they show ⏰.
 * - sla_escalation: a request overdue by SLA_ESCALATE_AFTER_DAYS working days goes to every admin
 *   privately, once per request (`sla.escalatedAt`, shown on the card).
 * - sla_member_reminder: a member asked for information who has not answered after
 *   SLA_MEMBER_REMINDER_DAYS working days gets one reminder per question (`sla.infoRemindedFor`).
 *
 * Everything goes through the outbox (channel-neutral messages rendered when sent; the dispatcher
 * keeps the group's budget), with dedupe keys made of the slot or the request, so running a slot
 * twice queues nothing twice.
 */
import { hasMemberKey } from "./member-keys";
import { Types } from "mongoose";
import { Request } from "../db/models/request";
import { enqueue, PRIORITY, type NewOutboxItem } from "./outbox";
import { OPEN_STATUSES } from "../vocabulary/statuses";
import { toRequestView, type RequestView } from "./requests";
import { load, queueCardEdit, commit, withRequestLock } from "./request-effects";
import { deadlineFields, slaStanding, type ChangeBasis } from "./deadlines";
import type { SlaSettings } from "../config";
import { loadCalendar } from "./holidays";
import { endOfWitaDay, witaDay, workingDaysBetween } from "./working-days";
import type { JobContext, ScheduledJob } from "./scheduler";

/** At most this many requests are looked at per list and run (the digest counts the rest). */
const SCAN_MAX = 500;

async function openRequests(filter: Record<string, unknown>): Promise<RequestView[]> {
  const docs = await Request.find({ status: { $in: OPEN_STATUSES }, ...filter })
    .sort({ createdAt: 1, _id: 1 })
    .limit(SCAN_MAX)
    .lean();
  return docs.map(toRequestView);
}

/** The digest's lists at `now`. */
export async function digestLists(now: Date): Promise<{ unclaimed: RequestView[]; dueToday: RequestView[]; overdue: RequestView[]; waiting: RequestView[] }> {
  const endOfToday = endOfWitaDay(witaDay(now));
  const [unclaimed, dueToday, overdue, waiting] = await Promise.all([
    openRequests({ assigneeTelegramId: null, status: "diterima" }),
    openRequests({ "sla.dueAt": { $gte: now, $lte: endOfToday } }),
    openRequests({ "sla.dueAt": { $lt: now } }),
    openRequests({ status: "perlu_info" }),
  ]);
  return { unclaimed, dueToday, overdue, waiting };
}

async function runDigest(ctx: JobContext): Promise<Record<string, number>> {
  const lists = await digestLists(ctx.now);
  const items: NewOutboxItem[] = [];
  const ids = (rs: RequestView[]) => rs.map((r) => r.id);
  const total = lists.unclaimed.length + lists.dueToday.length + lists.overdue.length + lists.waiting.length;
  if (total > 0) {
    items.push({
      kind: "reminder",
      chat: "group",
      message: { type: "sla_digest", day: ctx.slot, unclaimed: ids(lists.unclaimed), dueToday: ids(lists.dueToday), overdue: ids(lists.overdue), waiting: ids(lists.waiting) },
      priority: PRIORITY.digest,
      dedupeKey: `sla:digest:${ctx.slot}`,
    });
  }
  // Each officer's own overdue requests, privately.
  const byOfficer = new Map<number, string[]>();
  for (const r of lists.overdue) {
    if (r.assigneeTelegramId === null) continue;
    byOfficer.set(r.assigneeTelegramId, [...(byOfficer.get(r.assigneeTelegramId) ?? []), r.id]);
  }
  for (const [officer, requestIds] of byOfficer) {
    items.push({
      kind: "reminder",
      chat: officer,
      message: { type: "sla_officer", day: ctx.slot, requestIds },
      priority: PRIORITY.direct,
      dedupeKey: `sla:officer:${ctx.slot}:${officer}`,
    });
  }
  const queued = await enqueue(items, ctx.now);
  // The cards that now show ⏰ (an edit that would change nothing costs no call).
  let cards = 0;
  for (const r of [...lists.overdue, ...lists.dueToday]) {
    if (!r.card?.chatId || !r.card.messageId) continue;
    await queueCardEdit(r.id, r.card.chatId, ctx.now, `sla:${ctx.slot}`);
    cards++;
  }
  return {
    queued,
    digest: total > 0 ? 1 : 0,
    officers: byOfficer.size,
    overdue: lists.overdue.length,
    dueToday: lists.dueToday.length,
    unclaimed: lists.unclaimed.length,
    waiting: lists.waiting.length,
    cards,
  };
}

async function runEscalation(ctx: JobContext, adminIds: readonly number[], sla: SlaSettings): Promise<Record<string, number>> {
  const limit = sla.escalateAfterDays;
  const candidates = await openRequests({ "sla.dueAt": { $lt: ctx.now }, "sla.escalatedAt": null });
  let escalated = 0;
  for (const c of candidates) {
    if (slaStanding(c, ctx.now, ctx.calendar).overdueDays < limit) continue;
    const done = await withRequestLock(c.id, async () => {
      const doc = await load(c.id);
      if (!doc) return false;
      const r = toRequestView(doc);
      if (r.sla.escalatedAt || slaStanding(r, ctx.now, ctx.calendar).overdueDays < limit) return false;
      // Told first, marked after: a crash in between queues nothing twice (the keys) and marks it next run.
      await enqueue(
        adminIds.map((admin) => ({
          kind: "reminder" as const,
          chat: admin,
          requestId: r.id,
          message: { type: "sla_escalation" as const },
          priority: PRIORITY.direct,
          dedupeKey: `sla:esc:${r.id}:${admin}`,
        })),
        ctx.now,
      );
      // Through commit: the card is edited to say so.
      await commit(doc, { set: { "sla.escalatedAt": ctx.now } }, { now: ctx.now, sla, calendar: ctx.calendar, touchCard: true });
      return true;
    });
    if (done) escalated++;
  }
  return { candidates: candidates.length, escalated, admins: adminIds.length };
}

async function runMemberReminder(ctx: JobContext, sla: SlaSettings): Promise<Record<string, number>> {
  const days = sla.memberReminderDays;
  const waiting = await openRequests({ status: "perlu_info", "sla.infoAskedAt": { $ne: null } });
  let reminded = 0;
  for (const w of waiting) {
    const asked = w.sla.infoAskedAt;
    if (!asked || !hasMemberKey(w.memberTelegramId) || w.sla.infoRemindedFor?.getTime() === asked.getTime()) continue;
    if (workingDaysBetween(asked, ctx.now, ctx.calendar) < days) continue;
    await enqueue(
      [
        {
          kind: "member",
          chat: w.memberTelegramId,
          requestId: w.id,
          message: { type: "sla_info_reminder" },
          priority: PRIORITY.direct,
          ref: { messageRef: "relay" },
          dedupeKey: `sla:info:${w.id}:${asked.getTime()}`,
        },
      ],
      ctx.now,
    );
    await Request.updateOne({ _id: new Types.ObjectId(w.id), "sla.infoAskedAt": asked }, { $set: { "sla.infoRemindedFor": asked } });
    reminded++;
  }
  return { waiting: waiting.length, reminded };
}

/** The service-level jobs, for the scheduler (main.ts). More jobs can be added to the list. */
export function slaJobs(config: { adminIds: readonly number[]; sla: SlaSettings }): ScheduledJob[] {
  const { sla } = config;
  return [
    { name: "sla_digest", at: sla.digestTime, workingDaysOnly: true, run: runDigest },
    { name: "sla_escalation", at: sla.digestTime, workingDaysOnly: true, run: (ctx) => runEscalation(ctx, config.adminIds, sla) },
    { name: "sla_member_reminder", at: sla.digestTime, workingDaysOnly: true, run: (ctx) => runMemberReminder(ctx, sla) },
  ];
}

/**
 * The calendar changed (an admin's /libur): the deadlines of open requests are computed again, and
 * their cards edited to show it. Returns how many changed.
 */
export async function recomputeOpenDeadlines(basis: ChangeBasis): Promise<number> {
  const { now } = basis;
  const calendar = basis.calendar ?? (await loadCalendar());
  const open = await Request.find({ status: { $in: OPEN_STATUSES } }, { _id: 1 }).lean();
  let changed = 0;
  for (const { _id } of open) {
    const id = String(_id);
    const did = await withRequestLock(id, async () => {
      const doc = await load(id);
      if (!doc) return false;
      const r = toRequestView(doc);
      const due = await deadlineFields(r, { sla: basis.sla, calendar });
      if ((due["sla.dueAt"] as Date | null)?.getTime() === r.sla.dueAt?.getTime() && (due["sla.targetAt"] as Date | null)?.getTime() === r.sla.targetAt?.getTime()) return false;
      await Request.updateOne({ _id }, { $set: due });
      if (r.card?.chatId && r.card.messageId) await queueCardEdit(id, r.card.chatId, now, `calendar:${now.getTime()}`);
      return true;
    });
    if (did) changed++;
  }
  return changed;
}
