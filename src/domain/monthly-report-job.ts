/**
 * The monthly report (issue 14): on the first working day of each month at the digest time (08:00
 * WITA), every admin gets last month's recap pictures and workbook privately, once (the scheduler's
 * claim per day, the outbox's dedupe keys per month and admin). Admins turn it off and on with
 * /laporanbulanan. The files are made when the items are sent (telegram/outbox-messages.ts), so a
 * retry sends the same month again and nothing large is stored.
 */
import { enqueue, PRIORITY } from "./outbox";
import { isMonthlyReportOn } from "./settings";
import { isWorkingDay, previousWorkingDay, type Calendar } from "./working-days";
import type { ScheduledJob } from "./scheduler";

/** Whether `day` (a WITA "YYYY-MM-DD") is the first working day of its month. */
export function isFirstWorkingDayOfMonth(day: string, calendar: Calendar): boolean {
  return isWorkingDay(day, calendar) && previousWorkingDay(day, calendar).slice(0, 7) !== day.slice(0, 7);
}

/** The month before `day`'s, "YYYY-MM". */
export function previousMonth(day: string): string {
  const [y, m] = day.split("-").map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}

export function monthlyReportJob(config: { adminIds: readonly number[]; at: string }): ScheduledJob {
  return {
    name: "monthly_report",
    at: config.at,
    workingDaysOnly: true,
    run: async (ctx): Promise<Record<string, number>> => {
      if (!isFirstWorkingDayOfMonth(ctx.slot, ctx.calendar)) return { notFirstWorkingDay: 1 };
      if (!(await isMonthlyReportOn())) return { off: 1 };
      const month = previousMonth(ctx.slot);
      const items = config.adminIds.flatMap((admin) =>
        (["pictures", "workbook"] as const).map((part) => ({
          kind: "reminder" as const,
          chat: admin,
          message: { type: "monthly_report" as const, month, part },
          priority: PRIORITY.direct,
          dedupeKey: `monthly:${month}:${admin}:${part}`,
        })),
      );
      await enqueue(items, ctx.now);
      return { admins: config.adminIds.length, queued: items.length };
    },
  };
}
