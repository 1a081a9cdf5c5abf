/**
 * Working days in Badung: weekends, the national holidays and cuti bersama of the SKB 3 Menteri,
 * and Bali's Hindu holidays, from the data files the seed loads (data/holidays/<year>.json). Pure
 * arithmetic in WITA (no database), and the data files checked against the Pawukon's 210-day cycle.
 */
import path from "node:path";
import { readHolidayFiles } from "../src/domain/holidays";
import { addWorkingDays, isWorkingDay, workingDaysBetween, witaDay, endOfWitaDay, type Calendar } from "../src/domain/working-days";
import { closedOnTime, computeDeadline } from "../src/domain/deadlines";
import { SLA_DEFAULTS } from "../src/config";

const files = readHolidayFiles(path.resolve(__dirname, "..", "data", "holidays"));
const all = files.flatMap((f) => f.entries);
const calendar: Calendar = { holidays: new Set(all.map((e) => e.date)) };
const wita = (local: string) => new Date(`${local}+08:00`);
const DAY = 86_400_000;

test("the data files: 2026 and 2027, every date once, with a name, a source and a kind", () => {
  expect(files.map((f) => path.basename(f.file))).toEqual(["2026.json", "2027.json"]);
  for (const f of files) {
    const dates = f.entries.map((e) => e.date);
    expect(new Set(dates).size).toBe(dates.length);
    for (const e of f.entries) {
      expect(e.name.trim()).not.toBe("");
      expect(e.source.trim()).not.toBe("");
      expect(["nasional", "cuti_bersama", "bali", "lainnya"]).toContain(e.kind);
    }
  }
  // The SKB 3 Menteri 2026: 17 national holidays and 8 days of cuti bersama (two dates share a Bali day).
  const y2026 = files[0].entries;
  const skb = y2026.filter((e) => e.source.includes("1497/2025"));
  expect(skb.filter((e) => e.kind === "nasional")).toHaveLength(17);
  expect(skb.filter((e) => e.kind === "cuti_bersama")).toHaveLength(8);
  // 2027 has no decree yet: its national days say so instead of claiming one.
  for (const e of files[1].entries.filter((x) => x.kind === "nasional")) expect(e.source).toMatch(/belum ada SKB|SKB 3 Menteri 2027 belum ada/);
});

test("Pawukon dates follow the 210-day cycle: Galungan (Wed), Umanis +1, Kuningan +10, Saraswati (Sat), Pagerwesi +4", () => {
  const dates = (name: RegExp) => all.filter((e) => name.test(e.name)).map((e) => e.date);
  const galungan = ["2025-04-23", "2025-11-19", ...dates(/^Hari Raya Galungan$/)];
  expect(galungan).toEqual(["2025-04-23", "2025-11-19", "2026-06-17", "2027-01-13", "2027-08-11"]);
  for (let i = 1; i < galungan.length; i++) expect((Date.parse(galungan[i]) - Date.parse(galungan[i - 1])) / DAY).toBe(210);
  for (const g of galungan) expect(new Date(g).getUTCDay()).toBe(3);
  const plus = (d: string, n: number) => new Date(Date.parse(d) + n * DAY).toISOString().slice(0, 10);
  expect(dates(/^Umanis Galungan$/)).toEqual(galungan.slice(2).map((g) => plus(g, 1)));
  expect(dates(/^Hari Raya Kuningan$/)).toEqual(galungan.slice(2).map((g) => plus(g, 10)));
  const saraswati = dates(/Saraswati/);
  expect(saraswati).toEqual(["2026-04-04", "2026-10-31", "2027-05-29", "2027-12-25"]);
  for (const s of saraswati) expect(new Date(s).getUTCDay()).toBe(6);
  expect(dates(/Pagerwesi/)).toEqual(saraswati.map((s) => plus(s, 4)));
  // Galungan is 74 days after Saraswati (Watugunung is the cycle's last wuku, Dungulan its 11th).
  expect(plus("2026-04-04", 74)).toBe("2026-06-17");
});

test("weekends and holidays are not working days; a WITA day is the day in Bali, not in UTC", () => {
  expect(isWorkingDay("2026-03-19", calendar)).toBe(false); // Nyepi
  expect(isWorkingDay("2026-03-18", calendar)).toBe(false); // cuti bersama Nyepi
  expect(isWorkingDay("2026-06-17", calendar)).toBe(false); // Galungan
  expect(isWorkingDay("2026-12-05", calendar)).toBe(false); // Saturday
  expect(isWorkingDay("2026-12-07", calendar)).toBe(true);
  // 23:30 UTC on Sunday is 07:30 WITA on Monday.
  expect(witaDay(new Date("2026-12-06T23:30:00Z"))).toBe("2026-12-07");
  expect(isWorkingDay(new Date("2026-12-06T23:30:00Z"), calendar)).toBe(true);
});

test("a request filed the day before Nyepi 2026 (cuti bersama) counts from the next working day after the Nyepi and Lebaran days off", () => {
  // Wed 18 Mar (cuti bersama), Thu 19 Nyepi, Fri 20 cuti bersama, 21-22 Idul Fitri, 23-24 cuti bersama:
  // the 3 working days are 25, 26 and 27 March.
  expect(addWorkingDays(wita("2026-03-18T10:00:00"), 3, calendar)).toEqual(endOfWitaDay("2026-03-27"));
  // Without the calendar it would be Monday 23 March.
  expect(addWorkingDays(wita("2026-03-18T10:00:00"), 3, { holidays: new Set() })).toEqual(endOfWitaDay("2026-03-23"));
});

test("a request filed on a Friday evening before Nyepi 2027 (Monday) counts from the next working day", () => {
  // Fri 5 Mar 19:00; Sat, Sun, Mon 8 Nyepi, Tue-Wed Idul Fitri (estimates): Thu 11, Fri 12, Mon 15.
  expect(addWorkingDays(wita("2027-03-05T19:00:00"), 3, calendar)).toEqual(endOfWitaDay("2027-03-15"));
  // Filed on Saturday: the same.
  expect(addWorkingDays(wita("2027-03-06T09:00:00"), 3, calendar)).toEqual(endOfWitaDay("2027-03-15"));
});

test("a follow-up deadline crossing Galungan 2026 and a weekend", () => {
  // Reviewed Fri 12 Jun; 5 working days: Mon 15, (Tue 16 Tahun Baru Islam / Penampahan Galungan,
  // Wed 17 Galungan, Thu 18 Umanis Galungan), Fri 19, Mon 22, Tue 23, Wed 24.
  expect(addWorkingDays(wita("2026-06-12T10:00:00"), 5, calendar)).toEqual(endOfWitaDay("2026-06-24"));
  expect(workingDaysBetween(wita("2026-06-12T10:00:00"), wita("2026-06-24T08:00:00"), calendar)).toBe(5);
  expect(workingDaysBetween(wita("2026-06-12T10:00:00"), wita("2026-06-12T23:00:00"), calendar)).toBe(0);
});

test("computeDeadline: the step and its due date follow the status and the timeline", () => {
  const filed = wita("2026-12-02T09:00:00");
  const created = { at: filed, kind: "created", role: "member" };
  const base = { createdAt: filed, assigneeTelegramId: null, timeline: [created] };
  // Unclaimed: first response within 3 working days ("paling lambat Senin, 7 Desember 2026").
  expect(computeDeadline({ ...base, status: "diterima" }, calendar, SLA_DEFAULTS)).toMatchObject({ step: "response", dueAt: endOfWitaDay("2026-12-07") });
  // Reviewed on Thu 3 Dec: follow-up within 5 working days (Fri 4 … Thu 10).
  const reviewed = [created, { at: wita("2026-12-03T10:00:00"), kind: "status", role: "officer", to: "ditelaah" }];
  expect(computeDeadline({ ...base, assigneeTelegramId: 1, status: "ditelaah", timeline: reviewed }, calendar, SLA_DEFAULTS)).toMatchObject({
    step: "followup",
    dueAt: endOfWitaDay("2026-12-10"),
  });
  // Waiting for the member: no deadline for the office; the question's time is kept.
  const asked = [...reviewed, { at: wita("2026-12-04T10:00:00"), kind: "status", role: "officer", to: "perlu_info" }];
  expect(computeDeadline({ ...base, assigneeTelegramId: 1, status: "perlu_info", timeline: asked }, calendar, SLA_DEFAULTS)).toMatchObject({
    step: "member",
    dueAt: null,
    infoAskedAt: wita("2026-12-04T10:00:00"),
  });
  // In follow-up: the total target (14 working days after Wed 2 Dec: Tue 22 Dec) or later.
  const followUp = [...reviewed, { at: wita("2026-12-04T10:00:00"), kind: "status", role: "officer", to: "ditindaklanjuti" }];
  expect(computeDeadline({ ...base, assigneeTelegramId: 1, status: "ditindaklanjuti", timeline: followUp }, calendar, SLA_DEFAULTS)).toMatchObject({
    step: "finish",
    dueAt: endOfWitaDay("2026-12-22"),
    targetAt: endOfWitaDay("2026-12-22"),
  });
  // Filed on 17 Dec: the target crosses Christmas (24 cuti bersama, 25 Natal), New Year, Isra Mikraj and
  // Siwaratri 2027 (estimates), Galungan 2027 (12-14 Jan) and five weekends: Monday 18 January.
  const late = { at: wita("2026-12-17T09:00:00"), kind: "created", role: "member" };
  expect(computeDeadline({ ...base, createdAt: late.at, timeline: [late], status: "diterima" }, calendar, SLA_DEFAULTS).targetAt).toEqual(endOfWitaDay("2027-01-18"));
  expect(computeDeadline({ ...base, status: "selesai" }, calendar, SLA_DEFAULTS)).toMatchObject({ step: null, dueAt: null });
});

test("closed on time: by the total target, late after it, unknown while open or without a target", () => {
  const target = new Date("2026-12-18T15:59:59.999Z");
  expect(closedOnTime(new Date("2026-12-18T15:00:00Z"), target)).toBe(true);
  expect(closedOnTime(new Date("2026-12-21T01:00:00Z"), target)).toBe(false);
  expect(closedOnTime(null, target)).toBeNull();
  expect(closedOnTime(new Date("2026-12-18T15:00:00Z"), null)).toBeNull();
});
