/**
 * Programs (domain/programs.ts, program-seats.ts, program-actions.ts, program-notices.ts) through
 * the real bot and dispatcher against the test database: the announcement reaches the members it
 * is for once, with Daftar / Tidak bisa; seats are a hard limit, the rest wait in order and the
 * first waiting is told when a seat frees up; a required licence is asked once and kept; taps after
 * the deadline, on a cancelled program or forged ones get a clear answer and store nothing;
 * /program lists what is open and the member's own; linked requests are followed up and resolved
 * for those who came.
 */
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import { useTestDatabase } from "./helpers/db";
import type { Harness, TestUser } from "./helpers/harness";
import { newMember, newRequest, officerWorld } from "./helpers/officers";
import { tFor } from "../src/i18n";
import { createProgram, programsForMember, setLicence, type ProgramInput, type ProgramView } from "../src/domain/programs";
import { announceProgram, queueProgramReminders, resumeAnnouncements } from "../src/domain/program-notices";
import { cancelProgram, completeProgram, joinProgram, leaveProgram, linkRequests, matchingRequests, registerFor } from "../src/domain/program-actions";
import { markAttendance, participants } from "../src/domain/program-seats";
import { ProgramSeat } from "../src/db/models/program-seat";
import { Program } from "../src/db/models/program";
import { Outbox } from "../src/db/models/outbox";
import { Request } from "../src/db/models/request";
import { Member } from "../src/db/models/member";
import { attendanceButtonData, licenceProfileData, programButtonData, programChairButtonData, guestCancelData, programStaffButtonData } from "../src/telegram/callback-data";
import { Sentra } from "../src/db/models/sentra";
import { setChairperson } from "../src/domain/chairpersons";
import ExcelJS from "exceljs";
import { monthlyRecap } from "../src/domain/recap";
import { announcement, joinReply, licenceProfile, programDetails } from "../src/telegram/program-messages";
import type { Actor } from "../src/domain/workflow";
import { formatWitaDate, shiftMonth, witaMonth } from "../src/lib/time";

useTestDatabase();
const t = tFor("id");
const MADE: Actor = { telegramId: 9101, role: "officer", name: "Made" };
const HOUR = 3_600_000;

let h: Harness;
let admin: TestUser;
let sentraId: string;
beforeEach(async () => {
  ({ h, admin, sentraId } = await officerWorld());
});

function input(over: Partial<ProgramInput> = {}): ProgramInput {
  const now = h.clock.now().getTime();
  return {
    title: "Pelatihan desain kemasan",
    kind: "pelatihan",
    audience: { all: false, sentraIds: [sentraId], kecamatan: [], requestTypes: [] },
    sessions: [{ startsAt: new Date(now + 10 * 24 * HOUR), endsAt: new Date(now + 10 * 24 * HOUR + 3 * HOUR) }],
    place: "Aula Diskop UKMP, Mangupura",
    seats: 2,
    deadline: new Date(now + 7 * 24 * HOUR),
    requires: [],
    allowIncomplete: false,
    ...over,
  };
}
const lastTo = (u: TestUser) => u.texts().at(-1);

test("the announcement reaches each member it is for once (queued again: nothing doubled), and Daftar takes a seat", async () => {
  const inSentra = [await newMember(6101, { sentraId }), await newMember(6102, { sentraId })];
  await newMember(6103, { sentraId: null, kecamatan: "Kuta" });
  const p = await createProgram(input(), MADE.telegramId, h.clock.now());
  expect(p.code).toMatch(/^PRG-\d{4}-001$/);
  expect(await announceProgram(p.id, h.clock.now())).toBe(2);
  // After a crash part way the announcement is finished; what was queued is not queued again.
  await Program.updateOne({ _id: p.id }, { $set: { announcedAt: null } });
  expect(await resumeAnnouncements(h.clock.now())).toBe(0);
  await h.drain();
  const expected = announcement(t, p, "id").text;
  for (const m of inSentra)
    expect(
      h
        .user(m.telegramId)
        .texts()
        .filter((x) => x === expected),
    ).toHaveLength(1);
  expect(
    h
      .user(6103)
      .texts()
      .filter((x) => x === expected),
  ).toHaveLength(0);
  expect(await Outbox.countDocuments({ kind: "program", status: "sent" })).toBe(2);

  const u = h.user(6101);
  await u.press(t("program.btn.join"));
  const seat = await ProgramSeat.findOne({ memberTelegramId: 6101 }).lean();
  expect(seat).toMatchObject({ status: "active", k: 1 });
  expect(lastTo(u)).toBe(joinReply(t, { kind: "registered", program: p, place: { kind: "seat", rank: 1 }, incomplete: false }, "id", h.clock.now()).text);
  // A second tap: already registered, still one registration.
  await u.press(t("program.btn.join"));
  expect(lastTo(u)).toContain(t("program.already", { title: p.title, code: p.code }));
  expect(await ProgramSeat.countDocuments({ memberTelegramId: 6101 })).toBe(1);
});

test("20 members tap Daftar for the last seat at once: one seat taken, 19 waiting in order; a cancellation moves the first up and tells them", async () => {
  const p = await createProgram(input({ seats: 3 }), MADE.telegramId, h.clock.now());
  const ids = Array.from({ length: 22 }, (_, i) => 6200 + i);
  for (const id of ids) await newMember(id, { sentraId });
  // Two seats go first; then 20 at once for the last one.
  for (const id of ids.slice(0, 2)) expect((await joinProgram(p.id, id, h.clock.now())).kind).toBe("registered");
  const racing = ids.slice(2);
  const results = await Promise.all(racing.map((id) => joinProgram(p.id, id, h.clock.now())));
  const seated = results.filter((r) => r.kind === "registered" && r.place.kind === "seat");
  expect(seated).toHaveLength(1);
  const waiting = results.flatMap((r) => (r.kind === "registered" && r.place.kind === "waiting" ? [r.place.position] : []));
  expect(waiting.sort((a, b) => a - b)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
  const list = await participants(p.id, p.seats);
  expect(list.filter((x) => x.place.kind === "seat")).toHaveLength(3);
  expect(list.map((x) => x.k)).toEqual([...list.map((x) => x.k)].sort((a, b) => a - b));

  // The second seat holder cancels: the first waiting now has a seat, and is told.
  const first = list.find((x) => x.place.kind === "waiting" && x.place.position === 1)!;
  expect((await leaveProgram(p.id, ids[1], h.clock.now())).kind).toBe("left");
  await h.drain();
  const after = await participants(p.id, p.seats);
  expect(after.find((x) => x.telegramId === first.telegramId)?.place).toEqual({ kind: "seat", rank: 3 });
  expect(h.user(first.telegramId).texts().at(-1)).toContain(t("program.notice_seat", { title: p.title }));
  // The one who left may register again: at the end of the line.
  const again = await joinProgram(p.id, ids[1], h.clock.now());
  expect(again).toMatchObject({ kind: "registered", place: { kind: "waiting", position: 19 } });
});

test("a required licence is asked once and kept; a member without it is refused, or registered as belum lengkap where allowed", async () => {
  await newMember(6301, { sentraId });
  const strict = await createProgram(input({ requires: ["nib", "halal"] }), MADE.telegramId, h.clock.now());
  const soft = await createProgram(input({ title: "Fasilitasi halal", requires: ["halal"], allowIncomplete: true }), MADE.telegramId, h.clock.now());
  const u = h.user(6301);
  await u.press(programButtonData("j", strict.id), { raw: true });
  expect(lastTo(u)).toBe(t("program.licence_ask", { title: strict.title, licence: t("program.licence.nib") }));
  await u.press(t("program.btn.licence_yes"));
  await u.press(t("program.btn.licence_no"));
  expect(await Member.findOne({ telegramId: 6301 }).lean()).toMatchObject({ licences: { nib: { has: "yes" }, halal: { has: "no" } } });
  expect(lastTo(u)).toBe(t("program.missing", { title: strict.title, list: t("program.licence.halal") }));
  expect(await ProgramSeat.countDocuments({ programId: strict.id })).toBe(0);
  // Kept: the other program does not ask again, and registers them as incomplete.
  await u.press(programButtonData("j", soft.id), { raw: true });
  expect(await ProgramSeat.findOne({ programId: soft.id, memberTelegramId: 6301 }).lean()).toMatchObject({ incomplete: true });
  expect(lastTo(u)).toContain(t("program.incomplete", { list: t("program.licence.halal") }));
});

test("after the deadline, on a cancelled program, a forged id or outside the private chat: a clear answer and nothing stored", async () => {
  await newMember(6401, { sentraId });
  await newMember(6402, { sentraId: null, kecamatan: "Kuta" });
  const p = await createProgram(input(), MADE.telegramId, h.clock.now());
  const u = h.user(6401);
  // Not for them: another kecamatan, no sentra.
  await h.user(6402).press(programButtonData("j", p.id), { raw: true });
  expect(h.user(6402).texts().at(-1)).toBe(t("program.refused_not_for_you", { title: p.title }));
  // A program id that does not exist.
  await u.press(programButtonData("j", "0123456789abcdef01234567"), { raw: true });
  expect(lastTo(u)).toBe(t("program.gone"));
  // Cancelled: everyone registered is told; a tap after it is refused.
  await joinProgram(p.id, 6401, h.clock.now());
  await cancelProgram(p.id, "Narasumber berhalangan.", MADE.telegramId, h.clock.now());
  await h.drain();
  expect(lastTo(u)).toBe(t("program.notice_cancelled", { title: p.title, code: p.code, reason: "Narasumber berhalangan." }));
  await u.press(programButtonData("c", p.id), { raw: true });
  expect(lastTo(u)).toBe(t("program.leave_closed", { title: p.title }));
  // After the deadline.
  const late = await createProgram(input({ title: "Kurasi produk" }), MADE.telegramId, h.clock.now());
  h.clock.advance(8 * 24 * HOUR);
  await u.press(programButtonData("j", late.id), { raw: true });
  expect(lastTo(u)).toContain(t("program.refused_deadline", { title: late.title, deadline: "" }).split("(")[0].trim());
  expect(await ProgramSeat.countDocuments({ programId: late.id })).toBe(0);
});

test("/program lists the programs open to the member and theirs with their place", async () => {
  await newMember(6501, { sentraId });
  const a = await createProgram(input({ title: "Pelatihan foto produk" }), MADE.telegramId, h.clock.now());
  const b = await createProgram(input({ title: "Pameran Mangupura" }), MADE.telegramId, h.clock.now());
  await joinProgram(b.id, 6501, h.clock.now());
  const u = h.user(6501);
  await u.send("/program");
  const texts = u.texts().slice(-3);
  expect(texts[2]).toBe(licenceProfile(t, undefined).text);
  expect(texts[0]).toContain(t("program.list_mine"));
  expect(texts[0]).toContain(programDetails(t, b as ProgramView, "id"));
  expect(texts[1]).toBe(programDetails(t, a, "id"));
  expect(u.findButton(t("program.btn.join"))?.data).toBe(programButtonData("j", a.id));
  expect(u.findButton(t("program.btn.leave"))?.data).toBe(programButtonData("c", b.id));
});

test("linked requests are followed up (the member told); when done, those who came are resolved and the others stay open", async () => {
  const m1 = await newMember(6601, { sentraId });
  const m2 = await newMember(6602, { sentraId });
  const r1 = await newRequest(m1, "kemasan");
  const r2 = await newRequest(m2, "kemasan");
  const p = await createProgram(input({ audience: { all: false, sentraIds: [sentraId], kecamatan: [], requestTypes: ["kemasan"] } }), MADE.telegramId, h.clock.now());
  expect((await matchingRequests(p)).map((r) => r.code).sort()).toEqual([r1.code, r2.code].sort());
  const basis = { now: h.clock.now(), sla: SLA_DEFAULTS };
  expect(await linkRequests(p.id, [r1.id, r2.id], MADE, `Ditindaklanjuti lewat ${p.code}`, basis)).toEqual([r1.id, r2.id]);
  await h.drain();
  expect(await Request.findById(r1.id).lean()).toMatchObject({ status: "ditindaklanjuti" });
  expect(h.user(6601).texts().at(-1)).toContain(p.code);
  for (const id of [6601, 6602]) await joinProgram(p.id, id, h.clock.now());
  const [first] = await participants(p.id, p.seats);
  expect(await markAttendance(p.id, first.k, true)).toBe(true);
  const resolved = await completeProgram(p.id, MADE, `Program ${p.code} terlaksana.`, { now: h.clock.now(), sla: SLA_DEFAULTS });
  expect(resolved).toEqual([first.telegramId === 6601 ? r1.id : r2.id]);
  expect((await Request.findById(first.telegramId === 6601 ? r1.id : r2.id).lean())?.status).toBe("selesai");
  expect((await Request.findById(first.telegramId === 6601 ? r2.id : r1.id).lean())?.status).toBe("ditindaklanjuti");
  expect(await Program.findById(p.id).lean()).toMatchObject({ status: "done" });
});

test("reminders: the working day before (Friday for a Monday) and on the morning, to those with a seat only, once", async () => {
  h.clock.set(new Date("2027-01-05T01:00:00Z"));
  for (const id of [6701, 6702]) await newMember(id, { sentraId });
  const monday = new Date("2027-01-18T01:00:00Z"); // 09:00 WITA
  const p = await createProgram(input({ seats: 1, sessions: [{ startsAt: monday }], deadline: new Date("2027-01-14T15:59:00Z") }), MADE.telegramId, h.clock.now());
  await joinProgram(p.id, 6701, h.clock.now());
  await joinProgram(p.id, 6702, h.clock.now()); // waiting
  const calendar = { holidays: new Set<string>() };
  const at = (iso: string) => new Date(iso);
  expect(await queueProgramReminders(at("2027-01-14T23:00:00Z"), calendar)).toEqual({ today: 0, before: 1 }); // Friday 07:00 WITA
  expect(await queueProgramReminders(at("2027-01-14T23:30:00Z"), calendar)).toEqual({ today: 0, before: 0 }); // the same day again
  expect(await queueProgramReminders(at("2027-01-15T23:00:00Z"), calendar)).toEqual({ today: 0, before: 0 }); // Saturday
  expect(await queueProgramReminders(at("2027-01-17T23:00:00Z"), calendar)).toEqual({ today: 1, before: 0 }); // Monday
  h.clock.set(at("2027-01-17T23:05:00Z"));
  await h.drain();
  const reminders = h
    .user(6701)
    .texts()
    .filter((x) => x.startsWith("⏰"));
  expect(reminders.map((x) => x.split("\n")[0])).toEqual([
    t("program.notice_reminder_before", { title: p.title, date: formatWitaDate(monday, "id") }),
    t("program.notice_reminder_today", { title: p.title }),
  ]);
  expect(
    h
      .user(6702)
      .texts()
      .some((x) => x.includes("⏰")),
  ).toBe(false);
});

test("an officer creates a program in a dialogue (bad input answered), confirms, and it is announced; the matching request is linked", async () => {
  const m = await newMember(6801, { sentraId });
  const r = await newRequest(m, "kemasan");
  await newMember(6802, { sentraId: null, kecamatan: "Kuta" });
  await h.drain();
  const made = h.user(MADE.telegramId);
  await made.send("/programbaru");
  await made.send("Pelatihan desain kemasan");
  await made.press(t("program.kind.pelatihan"));
  await made.press(t("program_staff.audience_requests"));
  await made.press(t("labels.type.kemasan"));
  await made.press(t("dialog.done"));
  await made.sticker();
  expect(made.texts().at(-2)).toBe(t("dialog.sticker_text"));
  await made.send("31/02/2099 09:00");
  expect(made.texts().at(-2)).toBe(t("program_staff.when_invalid"));
  await made.send("14/01/2099 09:00");
  await made.send("12:00");
  // A second day: not before the first, then its own hours.
  expect(made.texts().at(-1)).toBe(t("program_staff.ask_more_sessions", { n: 1 }));
  await made.press(t("dialog.yes"));
  expect(made.texts().at(-1)).toBe(t("program_staff.ask_next_start", { n: 2 }));
  await made.send("13/01/2099 09:00");
  expect(made.texts().at(-2)).toBe(t("program_staff.session_not_after", { n: 1 }));
  await made.send("15/01/2099 13:00");
  await made.send("16:00");
  await made.press(t("dialog.no"));
  await made.send("Aula Diskop UKMP, Mangupura");
  await made.send("25");
  await made.send("20/01/2099");
  expect(made.texts().at(-2)).toBe(t("program_staff.deadline_after_start"));
  await made.send("10/01/2099");
  await made.press(t("dialog.done"));
  await made.press(t("dialog.skip"));
  expect(made.texts().at(-1)).toContain("Aula Diskop UKMP, Mangupura");
  await made.press(/Ya/);
  const saved = await Program.findOne().lean();
  expect(saved).toMatchObject({
    title: "Pelatihan desain kemasan",
    seats: 25,
    place: "Aula Diskop UKMP, Mangupura",
    audience: { requestTypes: ["kemasan"] },
    createdBy: MADE.telegramId,
  });
  expect(saved!.sessions[0].startsAt.toISOString()).toBe("2099-01-14T01:00:00.000Z");
  expect(saved!.sessions[0].endsAt?.toISOString()).toBe("2099-01-14T04:00:00.000Z");
  expect(saved!.sessions[1]).toEqual({ startsAt: new Date("2099-01-15T05:00:00.000Z"), endsAt: new Date("2099-01-15T08:00:00.000Z") });
  expect(saved!.sessions).toHaveLength(2);
  expect(saved!.deadline.toISOString()).toBe("2099-01-10T15:59:00.000Z");
  expect(made.texts().at(-2)).toBe(t("program_staff.created", { code: saved!.code, title: saved!.title, count: 1 }));
  await made.press(/Ya/);
  expect(made.texts().at(-1)).toBe(t("program_staff.linked", { count: 1, code: saved!.code }));
  expect(await Request.findById(r.id).lean()).toMatchObject({ status: "ditindaklanjuti" });
  await h.drain();
  expect(
    h
      .user(6801)
      .texts()
      .some((x) => x.startsWith(t("program.announce"))),
  ).toBe(true);
  expect(
    h
      .user(6802)
      .texts()
      .some((x) => x.startsWith(t("program.announce"))),
  ).toBe(false);
});

test("staff export the participants' workbook (phones for admins only); a member pressing a staff button is refused; the recap counts the program", async () => {
  const members = [
    await newMember(6801, { sentraId, name: "Ni Luh Sari" }),
    await newMember(6802, { sentraId, name: "Made Wira" }),
    await newMember(6803, { sentraId, name: "Ketut Ayu" }),
  ];
  const m1 = members[0];
  const r1 = await newRequest(m1, "kemasan");
  const p = await createProgram(input({ seats: 2 }), MADE.telegramId, h.clock.now());
  const basis = { now: h.clock.now(), sla: SLA_DEFAULTS };
  await linkRequests(p.id, [r1.id], MADE, `Ditindaklanjuti lewat ${p.code}`, basis);
  await setLicence(6801, "nib", "yes", "1234567890123");
  for (const m of members) await joinProgram(p.id, m.telegramId, h.clock.now());
  const [first] = await participants(p.id, p.seats);
  await markAttendance(p.id, first.k, true);
  const workbookOf = async (u: TestUser) => {
    await u.send("/program");
    const before = h.telegram.calls.length;
    await u.press(t("program_staff.btn_export"));
    const doc = h.telegram.calls.slice(before).find((c) => c.method === "sendDocument" && !c.failed);
    expect(doc?.files?.document.filename).toBe(`peserta-${p.code}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(doc!.files!.document.content as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0];
    return { header: (ws.getRow(3).values as unknown[]).slice(1), rows: ws.getSheetValues().slice(4) as unknown[][], caption: String(doc!.payload.caption) };
  };
  const made = h.user(MADE.telegramId);
  const byOfficer = await workbookOf(made);
  expect(byOfficer.header).not.toContain(t("program_staff.xlsx.col_phone"));
  expect(byOfficer.rows.map((r) => r[3])).toEqual(["Ni Luh Sari", "Made Wira", "Ketut Ayu"]);
  expect(byOfficer.rows.map((r) => r[2])).toEqual([t("program_staff.xlsx.seat"), t("program_staff.xlsx.seat"), t("program_staff.xlsx.waiting", { position: 1 })]);
  const attendedCol = byOfficer.header.indexOf(t("program_staff.xlsx.col_attended")) + 1;
  expect(byOfficer.rows[0][attendedCol]).toBe(t("program_staff.xlsx.yes"));
  const licencesCol = byOfficer.header.indexOf(t("program_staff.xlsx.col_licences")) + 1;
  expect(String(byOfficer.rows[0][licencesCol])).toContain(`${t("program.licence_short.nib")}: 1234567890123`);
  expect(byOfficer.caption).toBe(t("program_staff.export_caption", { code: p.code, rows: 3 }));
  const byAdmin = await workbookOf(h.user(admin.id));
  expect(byAdmin.header).toContain(t("program_staff.xlsx.col_phone"));

  // A member forging the staff buttons: refused, nothing sent, nothing changed.
  const member = h.user(6803);
  for (const action of ["e", "p", "d", "x", "l"] as const) {
    const calls = await member.press(programStaffButtonData(action, p.id), { raw: true });
    expect(calls.find((c) => c.method === "answerCallbackQuery")?.payload).toMatchObject({ text: t("admin.not_allowed") });
    expect(calls.some((c) => c.method === "sendDocument" || c.method === "sendMessage")).toBe(false);
  }
  const calls = await member.press(attendanceButtonData(p.id, first.k), { raw: true });
  expect(calls.find((c) => c.method === "answerCallbackQuery")?.payload).toMatchObject({ text: t("admin.not_allowed") });
  expect((await ProgramSeat.findById(`${p.id}#${first.k}`).lean())?.attended).toBe(true);
  expect(await Program.findById(p.id).lean()).toMatchObject({ status: "open" });

  // Held: the month of its first session counts it, its participants and the request it answered.
  await completeProgram(p.id, MADE, `Program ${p.code} terlaksana.`, basis);
  const recap = await monthlyRecap(witaMonth(p.sessions[0].startsAt));
  expect(recap.programs).toEqual({ held: 1, registered: 2, attended: 1, requestsAnswered: 1 });
  expect((await monthlyRecap(shiftMonth(witaMonth(p.sessions[0].startsAt), -1))).programs.held).toBe(0);
});

test("a chairperson sees the sentra's registrations, registers a member (who is told) and one without a phone, and cancels that guest's seat; another sentra's member and forged presses are refused", async () => {
  const CHAIR = 6901;
  await newMember(CHAIR, { sentraId, name: "Ketua Sentra" });
  await setChairperson(sentraId, CHAIR, 1, h.clock.now());
  await newMember(6902, { sentraId, name: "Wayan Dharma" });
  await newMember(6903, { sentraId: null, kecamatan: "Kuta", name: "Bukan Anggota Sentra" });
  const p = await createProgram(input({ seats: 2 }), MADE.telegramId, h.clock.now());
  const chair = h.user(CHAIR);
  await chair.send("/program");
  expect(chair.texts()).toContain(t("program_chair.summary", { code: p.code, title: p.title, sentra: "Sentra IKM Amerta Jaya", count: 0 }));

  // A member of the sentra, chosen from the list.
  await chair.press(t("program_chair.btn_register"));
  await chair.press("Wayan Dharma");
  await chair.press(t("dialog.yes"));
  expect(lastTo(chair)).toBe(t("program_chair.registered_seat", { who: "Wayan Dharma", code: p.code, rank: 1, seats: 2 }));
  expect(await ProgramSeat.findOne({ memberTelegramId: 6902, status: "active" }).lean()).toMatchObject({ by: CHAIR, guest: null });
  // The member is told who registered them, with their place and Batal ikut.
  await h.drain();
  const told = h.user(6902).texts().at(-1) ?? "";
  expect(told).toContain(t("program.notice_registered_by_chair", { title: p.title }));
  expect(told).toContain(t("program.place_seat", { rank: 1, seats: 2 }));

  // Someone without a phone, by name: a bad answer first (a sticker), then the name.
  await chair.press(t("program_chair.btn_register"));
  await chair.press(t("program_chair.no_phone"));
  await chair.sticker();
  expect(lastTo(chair)).not.toBe(t("program_chair.ask_business"));
  await chair.send("Nyoman Sukerti");
  await chair.send("Jaja Bali Sukerti");
  await chair.press(t("dialog.yes"));
  expect(lastTo(chair)).toBe(t("program_chair.registered_seat", { who: "Nyoman Sukerti", code: p.code, rank: 2, seats: 2 }));
  const guest = await ProgramSeat.findOne({ "guest.name": "Nyoman Sukerti" }).lean();
  expect(guest).toMatchObject({ memberTelegramId: CHAIR, by: CHAIR, guest: { name: "Nyoman Sukerti", business: "Jaja Bali Sukerti" }, status: "active" });
  // The chairperson's own /program does not list the guest's seat as theirs.
  expect((await programsForMember({ telegramId: CHAIR, sentraId, kecamatan: "Mengwi" }, h.clock.now())).mine).toHaveLength(0);

  // The sentra's list shows both.
  await chair.press(t("program_chair.btn_view"));
  expect(lastTo(chair)).toContain("Wayan Dharma");
  expect(lastTo(chair)).toContain("Nyoman Sukerti");
  expect(lastTo(chair)).toContain(t("program_chair.guest"));

  // Not a chairperson: the same buttons are refused; registering another sentra's member is refused.
  const member = h.user(6902);
  for (const action of ["v", "r"] as const) {
    const calls = await member.press(programChairButtonData(action, p.id), { raw: true });
    expect(calls.find((c) => c.method === "answerCallbackQuery")?.payload).toMatchObject({ text: t("admin.not_allowed") });
  }
  expect(await registerFor(p.id, { telegramId: CHAIR, sentraId }, { telegramId: 6903 }, h.clock.now())).toMatchObject({ kind: "not_for_you" });
  expect(await ProgramSeat.countDocuments({ programId: p.id, status: "active" })).toBe(2);

  // The guest's seat: a member forging its cancel button is refused; the chairperson cancels it from the list.
  const guestSeat = (await ProgramSeat.findOne({ "guest.name": "Nyoman Sukerti" }).lean())!;
  const forged = await member.press(guestCancelData(p.id, guestSeat.k), { raw: true });
  expect(forged.find((c) => c.method === "answerCallbackQuery")?.payload).toMatchObject({ text: t("admin.not_allowed") });
  expect(await ProgramSeat.findById(guestSeat._id).lean()).toMatchObject({ status: "active" });
  // Another chairperson's press on it: not theirs, nothing changed.
  const other = await Sentra.create({ slug: "lain", name: "Sentra Lain", kecamatan: "Kuta" });
  await newMember(6904, { sentraId: String(other._id), kecamatan: "Kuta", name: "Ketua Lain" });
  await setChairperson(String(other._id), 6904, 1, h.clock.now());
  await h.user(6904).press(guestCancelData(p.id, guestSeat.k), { raw: true });
  expect(lastTo(h.user(6904))).toBe(t("program_chair.guest_not_found", { title: p.title }));
  expect(await ProgramSeat.findById(guestSeat._id).lean()).toMatchObject({ status: "active" });
  await chair.press(t("program_chair.btn_view"));
  await chair.press(t("program_chair.btn_cancel_guest", { who: "Nyoman Sukerti" }));
  expect(lastTo(chair)).toBe(t("program_chair.guest_cancelled", { title: p.title, code: p.code }));
  expect(await ProgramSeat.findById(guestSeat._id).lean()).toMatchObject({ status: "cancelled" });
  expect(await ProgramSeat.countDocuments({ programId: p.id, status: "active" })).toBe(1);
});

test("a member's licences: shown under /program, changed in one tap each (the message edited), kept for programs", async () => {
  await newMember(6951, { sentraId });
  const u = h.user(6951);
  await u.send("/program");
  const shown = licenceProfile(t, undefined).text;
  expect(u.texts()).toContain(shown);
  await u.press(t("program.licence_set_yes", { licence: t("program.licence_short.nib") }));
  expect((await Member.findOne({ telegramId: 6951 }).lean())?.licences?.nib?.has).toBe("yes");
  const edited = h.telegram.calls.filter((c) => c.method === "editMessageText" && !c.failed).at(-1);
  expect(edited?.payload.text).toBe(licenceProfile(t, { nib: { has: "yes" } }).text);
  // Pressed again (the button now says "belum"): changed back.
  await u.press(t("program.licence_set_no", { licence: t("program.licence_short.nib") }));
  expect((await Member.findOne({ telegramId: 6951 }).lean())?.licences?.nib?.has).toBe("no");
  // A program requiring NIB now refuses without asking (answered "belum").
  const p = await createProgram(input({ requires: ["nib"] }), MADE.telegramId, h.clock.now());
  expect(await joinProgram(p.id, 6951, h.clock.now())).toMatchObject({ kind: "missing", missing: ["nib"] });
  // Someone not registered pressing a licence button: refused, nothing stored.
  const stranger = h.user(6959);
  await stranger.press(licenceProfileData("halal", true), { raw: true });
  expect(await Member.countDocuments({ telegramId: 6959 })).toBe(0);
});

test("a member types a licence's number: a wrong form is explained, a right one kept and shown; a tap keeps it, belum drops it", async () => {
  await newMember(6961, { sentraId });
  const u = h.user(6961);
  await u.send("NIB 12345");
  expect(u.texts().at(-1)).toBe(t("program.licence_number_invalid_nib", { licence: t("program.licence.nib") }));
  expect((await Member.findOne({ telegramId: 6961 }).lean())?.licences?.nib).toBeFalsy();
  await u.send("nib 1234 5678 90123");
  const kept = (await Member.findOne({ telegramId: 6961 }).lean())?.licences?.nib;
  expect(kept).toEqual({ has: "yes", number: "1234567890123" });
  expect(u.texts().at(-1)).toBe(`${t("program.licence_number_saved", { licence: t("program.licence.nib") })}\n\n${licenceProfile(t, { nib: kept }).text}`);
  expect(u.texts().at(-1)).toContain("1234567890123");
  await u.send("PIRT 2.05.1234.56.078901");
  expect((await Member.findOne({ telegramId: 6961 }).lean())?.licences?.spp_pirt).toEqual({ has: "yes", number: "205123456078901" });
  // The NIB tapped "belum": its number goes; SPP-PIRT keeps its own.
  await u.send("/program");
  await u.press(t("program.licence_set_no", { licence: t("program.licence_short.nib") }));
  const after = (await Member.findOne({ telegramId: 6961 }).lean())?.licences;
  expect(after?.nib).toEqual({ has: "no" });
  expect(after?.spp_pirt).toEqual({ has: "yes", number: "205123456078901" });
  // Tapped "sudah" again: held, no number until typed.
  await u.press(t("program.licence_set_yes", { licence: t("program.licence_short.nib") }));
  expect((await Member.findOne({ telegramId: 6961 }).lean())?.licences?.nib).toEqual({ has: "yes" });
});
