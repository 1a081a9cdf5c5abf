import dayjs from "dayjs";
import utc from "dayjs/plugin/utc";
import timezone from "dayjs/plugin/timezone";
import relativeTime from "dayjs/plugin/relativeTime";
import "dayjs/locale/id";
import "dayjs/locale/en";

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.extend(relativeTime);

/** Bali's time zone (WITA, UTC+8, no daylight saving). Everything is stored in UTC. */
export const WITA = "Asia/Makassar";
/**
 * WITA's offset from UTC. Asia/Makassar has kept UTC+8 all year since 1963 (no daylight saving), so
 * instants are shown with this fixed offset: the same result as `.tz(WITA)` (test/time.test.ts
 * checks that), without the Intl time-zone lookup `.tz` costs on every call.
 */
export const WITA_UTC_OFFSET_MINUTES = 8 * 60;

export { dayjs };

/** An instant as a dayjs in WITA. */
export function inWita(date: Date | number | dayjs.Dayjs): dayjs.Dayjs {
  return dayjs(date).utcOffset(WITA_UTC_OFFSET_MINUTES);
}

/** "28 Nov 2026 14.05 WITA" in Indonesian, or the English equivalent. */
export function formatWita(date: Date | number, locale: string = "id"): string {
  const d = inWita(date).locale(locale);
  return locale === "id" ? `${d.format("D MMM YYYY HH.mm")} WITA` : `${d.format("D MMM YYYY HH:mm")} WITA`;
}

/** "2 hari lalu" / "2 days ago". */
export function fromNow(date: Date | number, now: Date | number, locale: string = "id"): string {
  return dayjs(date).locale(locale).from(dayjs(now));
}

/** "3 hari" / "3 days": how long since `date`, without "ago" (for "sudah menunggu 3 hari"). */
export function durationSince(date: Date | number, now: Date | number, locale: string = "id"): string {
  return dayjs(date).locale(locale).from(dayjs(now), true);
}

export type DayPart = "pagi" | "siang" | "sore" | "malam";

/** The part of the day in WITA, for an Indonesian greeting (Selamat pagi/siang/sore/malam). */
export function dayPart(date: Date | number): DayPart {
  const h = inWita(date).hour();
  if (h >= 4 && h < 11) return "pagi";
  if (h >= 11 && h < 15) return "siang";
  if (h >= 15 && h < 18) return "sore";
  return "malam";
}

/** First instant of a calendar month in WITA, and of the next one, as UTC dates ("YYYY-MM"). */
export function witaMonthRange(month: string): { start: Date; end: Date } {
  const start = dayjs.tz(`${month}-01 00:00`, WITA);
  return { start: start.toDate(), end: start.add(1, "month").toDate() };
}

/** The month ("YYYY-MM") an instant belongs to in WITA. */
export function witaMonth(date: Date | number): string {
  return inWita(date).format("YYYY-MM");
}

/** "Senin, 7 Desember 2026" / "Monday, 7 December 2026": a WITA calendar day, in full. */
export function formatWitaDate(date: Date | number, locale: string = "id"): string {
  return inWita(date).locale(locale).format("dddd, D MMMM YYYY");
}

/** "Sen, 7 Des" / "Mon, 7 Dec": a WITA calendar day, short (lists, cards). */
export function formatWitaDayShort(date: Date | number, locale: string = "id"): string {
  return inWita(date).locale(locale).format("ddd, D MMM");
}

/** The month ("YYYY-MM") `by` months after `month` (negative: before). */
export function shiftMonth(month: string, by: number): string {
  return dayjs.utc(`${month}-01`).add(by, "month").format("YYYY-MM");
}

/** "November 2026" / "November 2026": a month's name in the given language. */
export function monthName(month: string, locale: string = "id"): string {
  return dayjs.utc(`${month}-01`).locale(locale).format("MMMM YYYY");
}

/** "Nov 2026" / "Agu 2026": a month's short name (chart axes). */
export function monthShortName(month: string, locale: string = "id"): string {
  return dayjs.utc(`${month}-01`).locale(locale).format("MMM YYYY");
}

/**
 * A date and time typed in WITA: "14/01/2027 09:00" (also with - or . between the parts, and
 * 09.00); a date alone takes `defaultTime` ("HH:MM"). Null when it is no real date.
 */
export function parseWitaDateTime(text: string, defaultTime?: string): Date | null {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+(\d{1,2})[:.](\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const [, d, mo, y] = m.map(Number);
  const time = m[4] !== undefined ? `${m[4]}:${m[5]}` : defaultTime;
  const t = time ? /^(\d{1,2}):(\d{2})$/.exec(time) : null;
  if (!t) return null;
  const [h, min] = [Number(t[1]), Number(t[2])];
  if (h > 23 || min > 59) return null;
  const at = new Date(Date.UTC(y, mo - 1, d, h, min) - WITA_UTC_OFFSET_MINUTES * 60_000);
  // 31/02 is no date: the parts must come back as typed.
  const back = inWita(at);
  return back.date() === d && back.month() === mo - 1 && back.year() === y ? at : null;
}

/** "HH:MM" (or HH.MM) on the WITA day of `day`; null when it is no time. */
export function witaTimeOn(day: Date, hhmm: string): Date | null {
  const d = inWita(day);
  return parseWitaDateTime(`${d.date()}/${d.month() + 1}/${d.year()} ${hhmm.trim()}`);
}
