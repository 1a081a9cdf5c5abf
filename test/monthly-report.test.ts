/**
 * The monthly report (issue 14): on the first working day of a month at 08:00 WITA each admin gets
 * last month's recap pictures and its workbook privately, once (also with two bot instances on one
 * database, and when the scheduler ticks again); not on a holiday, not on later days, not when an
 * admin turned it off with /laporanbulanan.
 */
import path from "node:path";
import ExcelJS from "exceljs";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { silentLogger, type Harness } from "./helpers/harness";
import { ADMIN, newMember, newRequest, officerHarness, seedWorld } from "./helpers/officers";
import { tFor } from "../src/i18n";
import { Outbox } from "../src/db/models/outbox";
import { JobRun } from "../src/db/models/job-run";
import { AuditLog } from "../src/db/models/audit-log";
import { seedHolidayFiles } from "../src/domain/holidays";
import { createScheduler } from "../src/domain/scheduler";
import { monthlyReportJob, isFirstWorkingDayOfMonth, previousMonth } from "../src/domain/monthly-report-job";
import { loadCalendar } from "../src/domain/holidays";

useTestDatabase();
const t = tFor("id");
const wita = (local: string) => new Date(`${local}+08:00`);
let h: Harness;

beforeEach(async () => {
  await clearDatabase();
  const { sentraId } = await seedWorld();
  await seedHolidayFiles(path.resolve(__dirname, "..", "data", "holidays"));
  h = officerHarness();
  h.clock.set(wita("2026-12-10T10:00:00"));
  const m = await newMember(5101, { sentraId });
  for (const type of ["produksi", "kemasan", "kemasan", "modal"] as const) await newRequest(m, type, { now: h.clock.now() });
  await h.drain();
  h.telegram.reset();
});

const scheduler = (harness: Harness) => createScheduler([monthlyReportJob({ adminIds: [ADMIN], at: "08:00" })], { clock: harness.clock.now, logger: silentLogger });
const toAdmin = () => h.telegram.calls.filter((c) => !c.failed && Number(c.payload.chat_id) === ADMIN);

test("the first working day of a month, by the holiday calendar", async () => {
  const calendar = await loadCalendar();
  // 1 Jan 2027 is New Year, 2–3 a weekend: Monday 4 January is the first working day.
  expect(["2027-01-01", "2027-01-04", "2027-01-05"].map((d) => isFirstWorkingDayOfMonth(d, calendar))).toEqual([false, true, false]);
  expect(isFirstWorkingDayOfMonth("2026-12-01", calendar)).toBe(true);
  expect([previousMonth("2027-01-04"), previousMonth("2026-12-01")]).toEqual(["2026-12", "2026-11"]);
});

test("admins get December's pictures and workbook on Mon 4 Jan 2027 at 08:00, once; not on New Year's Day, not on a later working day", async () => {
  const a = scheduler(h);
  const second = officerHarness(); // another bot process on the same database
  const b = scheduler(second);

  h.clock.set(wita("2027-01-01T09:00:00"));
  expect(await a.tick()).toEqual({ monthly_report: "not_due" });
  // The same moment on both: whichever wins queues the items at its own clock, and `h` sends them.
  h.clock.set(wita("2027-01-04T08:00:05"));
  second.clock.set(wita("2027-01-04T08:00:05"));
  const outcomes = await Promise.all([a.tick(), b.tick()]);
  expect(outcomes.map((o) => o.monthly_report).sort()).toEqual(["ran", "taken"]);
  expect(JSON.parse((await JobRun.findOne({ job: "monthly_report", slot: "2027-01-04" }).lean())!.result!)).toEqual({ admins: 1, queued: 2 });

  await h.drain();
  const calls = toAdmin();
  const album = calls.find((c) => c.method === "sendMediaGroup")!;
  const pngs = Object.entries(album.files ?? {}).filter(([, f]) => f.content.subarray(0, 8).toString("hex") === "89504e470d0a1a0a");
  expect(pngs.length).toBeGreaterThanOrEqual(2);
  expect(JSON.stringify(album.payload.media)).toContain(t("reports.monthly_title", { month: "2026-12" }).replace(/"/g, '\\"'));
  const doc = calls.find((c) => c.method === "sendDocument")!;
  expect(String(doc.payload.caption)).toBe(t("reports.monthly_workbook", { month: "2026-12", rows: 4 }));
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(Object.values(doc.files!)[0].content as unknown as ArrayBuffer);
  expect(book.worksheets[0].rowCount).toBe(1 + 4);
  // With phone numbers: an admin in a private chat.
  expect(book.worksheets[0].getRow(1).values).toContain(t("reports.columns.telepon"));

  // Ticking again the same morning, or the next day: nothing more.
  expect(await a.tick()).toEqual({ monthly_report: "taken" });
  h.clock.set(wita("2027-01-07T08:00:05")); // Thursday (5–6 January: Isra Mikraj, estimated)
  expect(await a.tick()).toEqual({ monthly_report: "ran" });
  await h.drain();
  expect(await Outbox.countDocuments({ dedupeKey: /^monthly:/ })).toBe(2);
  expect(toAdmin().filter((c) => c.method === "sendMediaGroup" || c.method === "sendDocument")).toHaveLength(2);
});

test("/laporanbulanan mati turns it off (audited); Monday 1 Feb then sends nothing; non-admins cannot", async () => {
  const admin = h.user(ADMIN);
  await admin.send("/laporanbulanan mati");
  expect(admin.lastText()).toBe(t("reports.monthly_state_off"));
  expect(await AuditLog.countDocuments({ action: "monthly_report.set", by: ADMIN })).toBe(1);
  const member = h.user(5101);
  await member.send("/laporanbulanan hidup");
  expect(member.lastText()).not.toBe(t("reports.monthly_state_on"));

  h.clock.set(wita("2027-02-01T08:00:05"));
  expect(await scheduler(h).tick()).toEqual({ monthly_report: "ran" });
  expect(JSON.parse((await JobRun.findOne({ job: "monthly_report", slot: "2027-02-01" }).lean())!.result!)).toEqual({ off: 1 });
  expect(await Outbox.countDocuments({ dedupeKey: /^monthly:/ })).toBe(0);
  await admin.send("/laporanbulanan hidup");
  expect(admin.lastText()).toBe(t("reports.monthly_state_on"));
});
