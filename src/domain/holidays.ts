/**
 * The office's calendar of non-working days, kept in MongoDB (`holidays`): loaded from
 * data/holidays/<year>.json by the seed, listed, added and removed by admins (/libur). Read through a
 * short cache (every deadline computation needs it) that this process's writes invalidate at once and
 * another process's writes within the stamp poll (db/shared-stamps.ts), or CALENDAR_CACHE_MS when
 * a write was made outside mongoose.
 */
import fs from "node:fs";
import path from "node:path";
import { Holiday, holidayWrites, HOLIDAY_KINDS, type HolidayKind } from "../db/models/holiday";
import { ReadCache } from "../lib/read-cache";
import { isDuplicateKeyError } from "../db/errors";
import { clipText } from "../lib/text";
import type { Calendar } from "./working-days";

export { HOLIDAY_KINDS, type HolidayKind };

/** How long a change made outside mongoose (a script on the raw driver) may go unseen here. */
export const CALENDAR_CACHE_MS = 60_000;

export interface HolidayView {
  date: string;
  name: string;
  source: string;
  kind: HolidayKind;
}

export interface HolidaySeed {
  date: string;
  name: string;
  source: string;
  kind: HolidayKind;
}

/** Holds the loader so that an admin's change can drop it at once (besides the write watch). */
const cache = new ReadCache<0, Calendar>({ max: 1, ttlMs: CALENDAR_CACHE_MS, version: () => holidayWrites.version });
async function loadFresh(): Promise<Calendar> {
  const docs = await Holiday.find({ active: true }, { date: 1 }).lean();
  // A document written behind the schema's back (a script, a hand edit) may hold anything: only real
  // dates count, so a bad one neither stops the deadlines nor makes a day off out of nothing.
  return { holidays: new Set(docs.map((d) => d.date as unknown).filter((d): d is string => typeof d === "string" && isHolidayDate(d))) };
}

/** The calendar as stored (active days), cached for at most CALENDAR_CACHE_MS. */
export function loadCalendar(): Promise<Calendar> {
  return cache.getOrLoad(0, loadFresh);
}

/** Drops the cached calendar (after a change made behind mongoose's back, e.g. by a script). */
export function invalidateCalendar(): void {
  cache.clear();
}

export const HOLIDAY_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date "YYYY-MM-DD" (not 2026-02-30). */
export function isHolidayDate(text: string): boolean {
  const m = HOLIDAY_DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/** What the schema allows for a name (longer ones come only from behind its back). */
const NAME_SHOWN = 200;

/** A stored day as the bot shows it; null for a document whose date is not a real day. */
function toView(d: { date: unknown; name: unknown; source: unknown; kind: unknown }): HolidayView | null {
  if (typeof d.date !== "string" || !isHolidayDate(d.date)) return null;
  const name = typeof d.name === "string" && d.name.trim() ? clipText(d.name, NAME_SHOWN) : "—";
  const kind = HOLIDAY_KINDS.find((k) => k === d.kind) ?? "lainnya";
  return { date: d.date, name, source: typeof d.source === "string" ? d.source : "", kind };
}

/** The active non-working days of a year, in date order (malformed documents left out). */
export async function listHolidays(year: number): Promise<HolidayView[]> {
  const docs = await Holiday.find({ active: true, date: { $gte: `${year}-01-01`, $lte: `${year}-12-31` } })
    .sort({ date: 1 })
    .lean();
  return docs.map(toView).filter((v): v is HolidayView => v !== null);
}

export async function findHoliday(date: string): Promise<HolidayView | null> {
  const doc = await Holiday.findOne({ date, active: true }).lean();
  return doc ? toView(doc) : null;
}

/** An admin's day off (new, or one removed earlier brought back with the new name). */
export async function addHoliday(date: string, name: string, by: number): Promise<HolidayView> {
  if (!isHolidayDate(date)) throw new Error(`not a date: ${date}`);
  const source = `ditambahkan admin ${by}`;
  await Holiday.updateOne({ date }, { $set: { name, source, kind: "lainnya", active: true, changedBy: by } }, { upsert: true });
  invalidateCalendar();
  return { date, name, source, kind: "lainnya" };
}

/** Removes a day (kept as inactive, so a later seed does not bring it back). False when it was not a day off. */
export async function removeHoliday(date: string, by: number): Promise<boolean> {
  const res = await Holiday.updateOne({ date, active: true }, { $set: { active: false, changedBy: by } });
  invalidateCalendar();
  return res.modifiedCount > 0;
}

function checkSeed(e: HolidaySeed): void {
  if (!isHolidayDate(e.date)) throw new Error(`holiday "${e.date}" must be a date YYYY-MM-DD`);
  if (!e.name?.trim() || !e.source?.trim()) throw new Error(`holiday ${e.date}: name and source are required`);
  if (!HOLIDAY_KINDS.includes(e.kind)) throw new Error(`holiday ${e.date}: kind must be one of ${HOLIDAY_KINDS.join(", ")}`);
}

/**
 * Adds the days of a seed file that are not stored yet (by date). Days already there, active or
 * removed by an admin, are left as they are: running the seed twice changes nothing.
 */
export async function seedHolidays(entries: HolidaySeed[]): Promise<{ inserted: number; existing: number }> {
  entries.forEach(checkSeed);
  let inserted = 0;
  let existing = 0;
  const stored = new Set((await Holiday.find({ date: { $in: entries.map((e) => e.date) } }, { date: 1 }).lean()).map((d) => d.date));
  for (const e of entries) {
    if (stored.has(e.date)) {
      existing++;
      continue;
    }
    try {
      await Holiday.create({ date: e.date, name: e.name, source: e.source, kind: e.kind, active: true, changedBy: 0 });
      inserted++;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      existing++; // another seed run inserted it a moment ago
    }
  }
  if (inserted > 0) invalidateCalendar();
  return { inserted, existing };
}

/** The holiday files of a folder (data/holidays/<year>.json), each `{ year, holidays: HolidaySeed[] }`. */
export function readHolidayFiles(dir: string): { file: string; entries: HolidaySeed[] }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}\.json$/.test(f))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      const data = JSON.parse(fs.readFileSync(file, "utf8")) as { holidays?: HolidaySeed[] };
      if (!Array.isArray(data.holidays)) throw new Error(`${file}: expected { "holidays": [...] }`);
      return { file, entries: data.holidays.map((h) => ({ date: h.date, name: h.name, source: h.source, kind: h.kind })) };
    });
}

/** Seeds every holiday file of a folder; the totals. */
export async function seedHolidayFiles(dir: string): Promise<{ files: number; inserted: number; existing: number }> {
  const files = readHolidayFiles(dir);
  let inserted = 0;
  let existing = 0;
  for (const f of files) {
    const res = await seedHolidays(f.entries);
    inserted += res.inserted;
    existing += res.existing;
  }
  return { files: files.length, inserted, existing };
}
