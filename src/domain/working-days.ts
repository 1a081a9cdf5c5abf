/**
 * Working days of the office in Badung (pure: no database, no clock). A day is a WITA calendar day
 * written "YYYY-MM-DD"; Saturdays, Sundays and the calendar's holidays (national holidays, cuti
 * bersama, the Hindu holidays the Governor of Bali gives off) are not working days.
 *
 * Counting rule (SP4N-LAPOR! practice): a time limit of n working days starts on the working day
 * after the day something happened, so a request filed on a Friday evening before Nyepi (or on a
 * Saturday) counts from the next working day, and its limit is the end (23:59:59.999 WITA) of the
 * n-th working day after the filing day.
 */
import { inWita } from "../lib/time";

export interface Calendar {
  /** Non-working days besides weekends, as WITA "YYYY-MM-DD". */
  readonly holidays: ReadonlySet<string>;
}

export const EMPTY_CALENDAR: Calendar = { holidays: new Set() };

/** More working days than this in one call is a bug (or a calendar without working days). */
const MAX_SCAN_DAYS = 3_700;
const DAY_MS = 86_400_000;

/** The WITA calendar day of an instant. */
export function witaDay(at: Date): string {
  return inWita(at).format("YYYY-MM-DD");
}

function dayMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The next calendar day. */
export function nextDay(day: string): string {
  return dayOf(dayMs(day) + DAY_MS);
}

/** The previous calendar day. */
export function previousDay(day: string): string {
  return dayOf(dayMs(day) - DAY_MS);
}

export function isWeekend(day: string): boolean {
  const dow = new Date(dayMs(day)).getUTCDay();
  return dow === 0 || dow === 6;
}

/** Whether the office works on this day (a WITA day string, or the WITA day of an instant). */
export function isWorkingDay(day: string | Date, calendar: Calendar): boolean {
  const d = typeof day === "string" ? day : witaDay(day);
  return !isWeekend(d) && !calendar.holidays.has(d);
}

/** The first working day after `day`. */
export function nextWorkingDay(day: string, calendar: Calendar): string {
  let d = nextDay(day);
  for (let i = 0; i < MAX_SCAN_DAYS && !isWorkingDay(d, calendar); i++) d = nextDay(d);
  return d;
}

/** The last working day before `day`. */
export function previousWorkingDay(day: string, calendar: Calendar): string {
  let d = previousDay(day);
  for (let i = 0; i < MAX_SCAN_DAYS && !isWorkingDay(d, calendar); i++) d = previousDay(d);
  return d;
}

/** The n-th working day after the WITA day of `from` (n >= 1; 0 gives that day itself). */
export function addWorkingDaysToDay(from: string, n: number, calendar: Calendar): string {
  let d = from;
  for (let i = 0; i < n; i++) d = nextWorkingDay(d, calendar);
  return d;
}

/** The last instant (WITA) of a day, as a Date. */
export function endOfWitaDay(day: string): Date {
  return new Date(Date.parse(`${day}T23:59:59.999+08:00`));
}

/** The first instant (WITA) of a day, as a Date. */
export function startOfWitaDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00.000+08:00`));
}

/** The deadline `n` working days after `from`: the end of the n-th working day after from's WITA day. */
export function addWorkingDays(from: Date, n: number, calendar: Calendar): Date {
  return endOfWitaDay(addWorkingDaysToDay(witaDay(from), n, calendar));
}

/**
 * Working days from `from` to `to`: those after from's WITA day up to and including to's (0 when
 * `to` is on the same day or earlier). A request filed today is 0 working days old; one whose
 * deadline was yesterday is 1 working day overdue, if today is a working day.
 */
export function workingDaysBetween(from: Date, to: Date, calendar: Calendar): number {
  const last = witaDay(to);
  let d = witaDay(from);
  let n = 0;
  for (let i = 0; i < MAX_SCAN_DAYS * 3 && d < last; i++) {
    d = nextDay(d);
    if (isWorkingDay(d, calendar)) n++;
  }
  return n;
}
