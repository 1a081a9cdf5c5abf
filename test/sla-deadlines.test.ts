/**
 * Deadlines as people see them, through the real bot with the harness clock set to chosen days:
 * the member's confirmation and /status say by when the office answers; the card shows the current
 * step's due date, the age in working days and ⏰ when overdue; /antrian and /tugasku too; admins
 * change the calendar with /libur (confirmed, audited), and open deadlines follow.
 */
import path from "node:path";
import { useTestDatabase } from "./helpers/db";
import { Harness, TestUser } from "./helpers/harness";
import { ADMIN, cardMessageId, cardText, GROUP, newMember, newRequest, officerWorld } from "./helpers/officers";
import { registeredMember, walkShortestPath } from "./helpers/requests";
import { textOf } from "./helpers/localeText";
import { tFor } from "../src/i18n";
import { Request } from "../src/db/models/request";
import { Holiday } from "../src/db/models/holiday";
import { AuditLog } from "../src/db/models/audit-log";
import { seedHolidayFiles } from "../src/domain/holidays";
import { endOfWitaDay } from "../src/domain/working-days";

useTestDatabase();

const DATA = path.resolve(__dirname, "..", "data", "holidays");
const wita = (local: string) => new Date(`${local}+08:00`);
const t = tFor("id");

let h: Harness;
let made: TestUser;
let sentraId: string;

/** The officers' world at a chosen moment (the clock is set before anything is sent). */
async function worldAt(at: Date): Promise<void> {
  ({ h, made, sentraId } = await officerWorld("kemasan, pelatihan", { at, holidays: true }));
}

test("a request filed the day before Nyepi: the confirmation and /status say by when the office answers", async () => {
  await worldAt(wita("2026-03-18T10:00:00"));
  const u = h.user(7001);
  await registeredMember(7001);
  const { code } = await walkShortestPath(u, "pelatihan");
  // 18 Mar cuti bersama, 19 Nyepi, 20 cuti bersama, 21-22 Idul Fitri, 23-24 cuti bersama: 25, 26, 27.
  expect(u.lastText()).toContain(textOf("sla.member_due", { date: "Jumat, 27 Maret 2026" }));
  const doc = await Request.findOne({ code }).lean();
  expect(doc!.sla).toMatchObject({ step: "response", dueAt: endOfWitaDay("2026-03-27"), targetAt: endOfWitaDay("2026-04-15") });
  // Filed at the workflow's clock (the day before Nyepi), not the wall clock.
  expect(doc!.timeline[0].at.getTime()).toBeLessThan(wita("2026-03-18T10:05:00").getTime());

  await u.send(`/status ${code}`);
  expect(u.lastText()).toContain(textOf("sla.member_due_line", { what: t("sla.member_step.response"), date: "Jumat, 27 Maret 2026" }));
  // The member's list shows it as well.
  await u.send("/status");
  expect(u.lastText()).toContain(textOf("sla.member_due_line", { what: t("sla.member_step.response"), date: "Jumat, 27 Maret 2026" }));
});

test("a follow-up deadline crossing Galungan and a weekend: the card shows it; /tugasku marks it ⏰ once overdue", async () => {
  await worldAt(wita("2026-06-10T09:00:00"));
  const member = await newMember(5101, { name: "Ni Luh Sari", sentraId });
  const r = await newRequest(member, "kemasan", { now: h.clock.now() });
  await h.drain();
  const cardId = await cardMessageId(r.id);
  // Filed Wed 10 Jun: first response by Mon 15 Jun.
  expect(await cardText(h, r.id)).toContain(textOf("sla.card_due", { step: t("sla.step.response"), due: "Senin, 15 Juni 2026" }));
  expect(await cardText(h, r.id)).toContain(textOf("sla.card_age", { count: 0, today: "Rab, 10 Jun" }));

  h.clock.set(wita("2026-06-12T10:00:00"));
  await made.press(t("officer.btn.review"), { messageId: cardId });
  await h.drain();
  // Reviewed Fri 12 Jun: Mon 15, (16 Tahun Baru Islam / Penampahan, 17 Galungan, 18 Umanis), 19, 22, 23, 24.
  expect((await Request.findById(r.id).lean())!.sla).toMatchObject({ step: "followup", dueAt: endOfWitaDay("2026-06-24") });
  const card = await cardText(h, r.id);
  expect(card).toContain(textOf("sla.card_due", { step: t("sla.step.followup"), due: "Rabu, 24 Juni 2026" }));
  expect(card).toContain(textOf("sla.card_age", { count: 2, today: "Jum, 12 Jun" }));
  expect(card).not.toContain("⏰");

  // Monday 29 Jun: two working days late (Thu 25; Fri 26 is Penampahan Kuningan, 27 Kuningan; Mon 29);
  // filed 9 working days ago.
  h.clock.set(wita("2026-06-29T10:00:00"));
  await made.send("/tugasku");
  const tasks = h.telegram.lastMessageTo(GROUP)!.payload.text as string;
  expect(tasks).toContain(r.code);
  expect(tasks).toContain(
    textOf("sla.list_line", { count: 9, due: textOf("sla.list_due", { step: t("sla.step.followup"), due: "Rab, 24 Jun" }) }) + textOf("sla.overdue_mark", { count: 2 }),
  );
});

test("/antrian shows the age in working days and the due date of unclaimed requests", async () => {
  await worldAt(wita("2026-12-02T09:00:00"));
  const member = await newMember(5102, { sentraId });
  const r = await newRequest(member, "kemasan", { now: h.clock.now() });
  await h.drain();
  // Thu 3 Dec: due Mon 7 Dec ("paling lambat Senin, 7 Desember 2026"), not yet late.
  h.clock.set(wita("2026-12-03T11:00:00"));
  await made.send("/antrian");
  const text = h.telegram.lastMessageTo(GROUP)!.payload.text as string;
  expect(text).toContain(r.code);
  expect(text).toContain(textOf("sla.list_line", { count: 1, due: textOf("sla.list_due", { step: t("sla.step.response"), due: "Sen, 7 Des" }) }));
  expect(text).not.toContain("⏰");
  // On Monday 7 Dec it is due today.
  h.clock.set(wita("2026-12-07T09:00:00"));
  await made.send("/antrian");
  expect(h.telegram.lastMessageTo(GROUP)!.payload.text).toContain(textOf("sla.due_today_mark"));
});

test("/libur: admins list, add and remove days, confirmed and audited; open deadlines follow; others are refused", async () => {
  await worldAt(wita("2026-12-02T09:00:00"));
  const member = await newMember(5103, { sentraId });
  const r = await newRequest(member, "kemasan", { now: h.clock.now() });
  await h.drain();
  expect((await Request.findById(r.id).lean())!.sla!.dueAt).toEqual(endOfWitaDay("2026-12-07"));
  const me = h.user(ADMIN);

  await me.send("/libur");
  expect(me.lastText()).toContain(textOf("sla.libur_title", { year: 2026, count: await Holiday.countDocuments({ date: /^2026/ }) }));
  expect(me.texts().join("\n")).toContain(textOf("sla.libur_line", { date: "Rabu, 17 Juni 2026", name: "Hari Raya Galungan" }));

  // Adding a day off on Friday 4 Dec: nothing changes until "Ya, simpan".
  await me.send("/libur tambah 2026-12-04 Rapat kerja kantor");
  expect(me.lastText()).toBe(textOf("sla.libur_confirm_add", { date: "Jumat, 4 Desember 2026", name: "Rapat kerja kantor" }));
  expect(await Holiday.countDocuments({ date: "2026-12-04" })).toBe(0);
  await me.press(t("admin.confirm_yes"));
  expect(me.lastText()).toBe(textOf("sla.libur_added", { date: "Jumat, 4 Desember 2026", name: "Rapat kerja kantor", count: 1 }));
  expect(await Holiday.findOne({ date: "2026-12-04" }).lean()).toMatchObject({ name: "Rapat kerja kantor", kind: "lainnya", active: true, changedBy: ADMIN });
  expect(await AuditLog.findOne({ action: "holiday.add" }).lean()).toMatchObject({ by: ADMIN });
  // The open request's first response moves from Mon 7 to Tue 8 Dec.
  expect((await Request.findById(r.id).lean())!.sla!.dueAt).toEqual(endOfWitaDay("2026-12-08"));

  // Removing it again; a seed run afterwards does not bring it back.
  await me.send("/libur hapus 2026-12-04");
  await me.press(t("admin.confirm_yes"));
  expect(me.lastText()).toBe(textOf("sla.libur_removed", { date: "Jumat, 4 Desember 2026", count: 1 }));
  expect((await Request.findById(r.id).lean())!.sla!.dueAt).toEqual(endOfWitaDay("2026-12-07"));
  await me.send("/libur hapus 2026-06-17");
  await me.press(t("admin.confirm_yes"));
  await seedHolidayFiles(DATA);
  expect(await Holiday.findOne({ date: "2026-06-17" }).lean()).toMatchObject({ active: false });
  expect(await AuditLog.countDocuments({ action: "holiday.remove" })).toBe(2);

  // Bad input.
  await me.send("/libur tambah 2026-02-30 Salah");
  expect(me.lastText()).toContain(textOf("sla.libur_bad_date", { date: "2026-02-30" }));
  await me.send("/libur tambah 2026-12-05 Sabtu");
  expect(me.lastText()).toBe(textOf("sla.libur_weekend", { date: "Sabtu, 5 Desember 2026" }));

  // Not an admin: answered like an unknown command, nothing stored.
  const officer = h.user(9101);
  await officer.send("/libur tambah 2026-12-10 Libur");
  expect(officer.lastText()).not.toContain(textOf("sla.libur_confirm_add", { date: "Kamis, 10 Desember 2026", name: "Libur" }));
  expect(await Holiday.countDocuments({ date: "2026-12-10" })).toBe(0);
});
