/**
 * The scheduled jobs through the real bot and dispatcher, with the harness clock set to chosen
 * days: the 08:00 WITA digest and officers' reminders, escalation to the admins, the member's
 * reminder; never on a day off, once per slot (two bot instances on one database), a slot missed
 * while the bot was down run once at start-up (only the latest one). Checked in the database
 * (jobruns, outbox items, the request's marks) and in what Telegram got.
 */
import { useTestDatabase } from "./helpers/db";
import { Harness, TestUser, silentLogger } from "./helpers/harness";
import { ADMIN, cardMessageId, cardText, GROUP, lastBotMessage, newMember, newRequest, officerWorld } from "./helpers/officers";
import { textOf } from "./helpers/localeText";
import { tFor } from "../src/i18n";
import { Request } from "../src/db/models/request";
import { Outbox } from "../src/db/models/outbox";
import { JobRun } from "../src/db/models/job-run";
import { createScheduler, type Scheduler } from "../src/domain/scheduler";
import { slaJobs } from "../src/domain/sla-jobs";
import { formatWita } from "../src/lib/time";
import type { RequestView } from "../src/domain/requests";

useTestDatabase();

const wita = (local: string) => new Date(`${local}+08:00`);
const t = tFor("id");
const JOBS = ["sla_digest", "sla_escalation", "sla_member_reminder"];

let h: Harness;
let made: TestUser;
let sentraId: string;

function schedulerOf(harness: Harness): Scheduler {
  return createScheduler(slaJobs(harness.config), { clock: harness.clock.now, logger: silentLogger });
}

/** The officers' world at a chosen moment, and a request filed then (claimed by nobody). */
async function worldAt(at: Date): Promise<RequestView> {
  ({ h, made, sentraId } = await officerWorld("kemasan", { at, holidays: true }));
  const member = await newMember(5101, { name: "Ni Luh Sari", sentraId });
  const r = await newRequest(member, "kemasan", { now: h.clock.now() });
  await h.drain();
  return r;
}

const reminders = () => Outbox.find({ kind: "reminder" }).sort({ _id: 1 }).lean();

test("the digest is not sent on a holiday (Galungan) nor on a weekend; on the next working day it is, once", async () => {
  // Filed Mon 8 Jun: first response due Thu 11 Jun.
  const r = await worldAt(wita("2026-06-08T09:00:00"));
  const s = schedulerOf(h);
  for (const day of ["2026-06-16", "2026-06-17", "2026-06-18", "2026-06-20", "2026-06-21"]) {
    h.clock.set(wita(`${day}T09:00:00`));
    expect(await s.tick()).toEqual({ sla_digest: "not_due", sla_escalation: "not_due", sla_member_reminder: "not_due" });
  }
  expect(await JobRun.countDocuments()).toBe(0);
  expect(await reminders()).toHaveLength(0);

  // Fri 19 Jun, 07:59: not yet; 08:00: the slot runs.
  h.clock.set(wita("2026-06-19T07:59:00"));
  expect((await s.tick()).sla_digest).toBe("not_due");
  h.clock.set(wita("2026-06-19T08:00:05"));
  expect(await s.tick()).toEqual({ sla_digest: "ran", sla_escalation: "ran", sla_member_reminder: "ran" });
  const runs = await JobRun.find().lean();
  expect(runs.map((x) => [x.job, x.slot]).sort()).toEqual(JOBS.map((j) => [j, "2026-06-19"]));
  expect(runs.every((x) => x.finishedAt !== null && x.dueAt.getTime() === wita("2026-06-19T08:00:00").getTime())).toBe(true);
  const digest = (await reminders()).find((x) => x.dedupeKey === "sla:digest:2026-06-19");
  expect(digest).toMatchObject({ target: "group", group: true, status: "pending" });
  expect(JSON.parse(digest!.message!)).toMatchObject({ type: "sla_digest", overdue: [r.id], unclaimed: [r.id] });

  await h.drain();
  const sent = h.telegram.textsTo(GROUP).find((x) => x.startsWith(textOf("sla.digest_title", { date: "Jumat, 19 Juni 2026" })));
  expect(sent).toBeDefined();
  expect(sent).toContain(textOf("sla.digest_overdue", { count: 1 }));
  expect(sent).toContain(textOf("sla.digest_unclaimed", { count: 1 }));
  // Thu 11 due; Fri 12, Mon 15, (16-18 off), Fri 19: 3 working days late.
  expect(sent).toContain(`<b>${r.code}</b>`);
  expect(sent).toContain(textOf("sla.overdue_mark", { count: 3 }));

  // The same slot again: nothing more.
  h.clock.set(wita("2026-06-19T15:00:00"));
  expect(await s.tick()).toEqual({ sla_digest: "taken", sla_escalation: "taken", sla_member_reminder: "taken" });
  expect(await JobRun.countDocuments()).toBe(3);
  expect((await reminders()).filter((x) => x.dedupeKey.startsWith("sla:digest:"))).toHaveLength(1);
});

test("escalation: a request 2 working days overdue goes to the admins privately, once; the card says so", async () => {
  const r = await worldAt(wita("2026-06-01T09:00:00")); // Mon 1 Jun is Pancasila: counts from Tue 2; due Thu 4 Jun.
  expect((await Request.findById(r.id).lean())!.sla!.dueAt).toEqual(new Date("2026-06-04T15:59:59.999Z"));
  const s = schedulerOf(h);
  // Fri 5 Jun: 1 working day late: no escalation yet.
  h.clock.set(wita("2026-06-05T08:30:00"));
  await s.tick();
  expect((await Request.findById(r.id).lean())!.sla!.escalatedAt).toBeNull();
  expect((await reminders()).filter((x) => x.chatId === ADMIN)).toHaveLength(0);

  // Mon 8 Jun: 2 working days late.
  h.clock.set(wita("2026-06-08T08:30:00"));
  expect((await s.tick()).sla_escalation).toBe("ran");
  const doc = (await Request.findById(r.id).lean())!;
  expect(h.clock.now().getTime() - doc.sla!.escalatedAt!.getTime()).toBeLessThan(60_000);
  const toAdmin = (await reminders()).filter((x) => x.chatId === ADMIN);
  expect(toAdmin).toHaveLength(1);
  expect(toAdmin[0]).toMatchObject({ target: "chat", group: false, dedupeKey: `sla:esc:${r.id}:${ADMIN}` });
  await h.drain();
  const text = h.telegram.textsTo(ADMIN).at(-1)!;
  expect(text).toBe(
    textOf("sla.escalation", {
      code: r.code,
      type: t("labels.type.kemasan"),
      step: t("sla.step.response"),
      due: "Kamis, 4 Juni 2026",
      count: 2,
      age: 5,
      officer: t("sla.nobody"),
      kecamatan: "Mengwi",
    }),
  );
  expect(await cardText(h, r.id)).toContain(textOf("sla.card_escalated", { at: formatWita(doc.sla!.escalatedAt!, "id") }));

  // Tue 9 and Wed 10: still late, not escalated again.
  for (const day of ["2026-06-09", "2026-06-10"]) {
    h.clock.set(wita(`${day}T08:30:00`));
    await s.tick();
  }
  expect((await reminders()).filter((x) => x.chatId === ADMIN)).toHaveLength(1);
  await h.drain();
  expect(h.telegram.textsTo(ADMIN).filter((x) => x.includes(r.code))).toHaveLength(1);
  // Made, who claimed nothing, gets no private reminder; once he has it, his overdue list comes to him.
  expect(h.telegram.textsTo(9101).some((x) => x.startsWith(textOf("sla.officer_title", { count: 1 })))).toBe(false);
  await made.press(t("officer.btn.claim"), { messageId: await cardMessageId(r.id) });
  await h.drain();
  // Claimed Wed 10 Jun: follow-up within 5 working days: 11, 12, 15, (16-18 off), 19, 22 -> Mon 22 Jun.
  expect((await Request.findById(r.id).lean())!.sla).toMatchObject({ step: "followup", dueAt: new Date("2026-06-22T15:59:59.999Z") });
  h.clock.set(wita("2026-06-23T08:00:01"));
  await s.tick();
  await h.drain();
  expect(h.telegram.textsTo(9101).at(-1)).toContain(textOf("sla.officer_title", { count: 1 }));
  expect(h.telegram.textsTo(9101).at(-1)).toContain(r.code);
  // Escalated once per request: not again for the new step (the sent item itself is pruned after 7 days).
  expect(h.telegram.textsTo(ADMIN).filter((x) => x.includes(r.code))).toHaveLength(1);
  expect(await Outbox.countDocuments({ dedupeKey: /^sla:esc:/, status: "pending" })).toBe(0);
});

test("a member asked for information who has not answered after 2 working days gets one reminder", async () => {
  const r = await worldAt(wita("2026-12-01T09:00:00"));
  const s = schedulerOf(h);
  const cardId = await cardMessageId(r.id);
  // Thu 3 Dec 10:00: Made asks the member.
  h.clock.set(wita("2026-12-03T10:00:00"));
  await made.press(t("officer.btn.claim"), { messageId: cardId });
  await h.drain();
  await made.press(t("officer.btn.info"), { messageId: cardId });
  await h.drain();
  const prompt = lastBotMessage(h, GROUP, /tulis pertanyaan/).message_id;
  await made.send("Berapa banyak kemasan yang dibutuhkan per bulan?", { replyTo: prompt });
  await h.drain();
  const asked = (await Request.findById(r.id).lean())!;
  expect(asked.status).toBe("perlu_info");
  expect(asked.sla).toMatchObject({ step: "member", dueAt: null, infoRemindedFor: null });

  // Fri 4 Dec: 1 working day; Sat 5 Dec: no slot at all.
  for (const at of ["2026-12-04T08:10:00", "2026-12-05T08:10:00"]) {
    h.clock.set(wita(at));
    await s.tick();
  }
  expect(await Outbox.countDocuments({ dedupeKey: /^sla:info:/ })).toBe(0);
  // Mon 7 Dec: 2 working days.
  h.clock.set(wita("2026-12-07T08:10:00"));
  expect((await s.tick()).sla_member_reminder).toBe("ran");
  expect(await Outbox.find({ dedupeKey: /^sla:info:/ }).lean()).toEqual([expect.objectContaining({ kind: "member", chatId: 5101, status: "pending" })]);
  expect((await Request.findById(r.id).lean())!.sla!.infoRemindedFor).toEqual(asked.sla!.infoAskedAt);
  await h.drain();
  const call = h.telegram.lastMessageTo(5101)!;
  expect(call.payload.text).toBe(textOf("sla.info_reminder", { code: r.code, type: t("labels.type.kemasan"), question: "Berapa banyak kemasan yang dibutuhkan per bulan?" }));
  expect(JSON.stringify(call.payload.reply_markup)).toContain(t("officer.member.btn_answer"));

  // Tue 8 and Wed 9: no second reminder for the same question.
  for (const at of ["2026-12-08T08:10:00", "2026-12-09T08:10:00"]) {
    h.clock.set(wita(at));
    await s.tick();
  }
  expect(await Outbox.countDocuments({ dedupeKey: /^sla:info:/ })).toBe(1);
});

test("a slot missed while the bot was down runs once at start-up; only the latest one, not a flood", async () => {
  await worldAt(wita("2026-12-01T09:00:00"));
  // The bot is down from Thu 3 Dec until Tue 8 Dec 10:30 (slots of Fri 4 and Mon 7 missed).
  h.clock.set(wita("2026-12-08T10:30:00"));
  h.restart();
  const s = schedulerOf(h);
  s.start(); // ticks at once
  await s.stop();
  const runs = await JobRun.find().lean();
  expect(runs.map((x) => x.slot)).toEqual(["2026-12-08", "2026-12-08", "2026-12-08"]);
  expect(runs.every((x) => x.dueAt.getTime() === wita("2026-12-08T08:00:00").getTime() && x.startedAt.getTime() >= wita("2026-12-08T10:30:00").getTime())).toBe(true);
  expect((await reminders()).map((x) => x.dedupeKey).filter((k) => k.startsWith("sla:digest:"))).toEqual(["sla:digest:2026-12-08"]);
  // Another restart the same day: nothing runs again.
  h.restart();
  const again = schedulerOf(h);
  expect(await again.tick()).toEqual({ sla_digest: "taken", sla_escalation: "taken", sla_member_reminder: "taken" });
  expect(await JobRun.countDocuments()).toBe(3);
  // Back the next morning before 08:00: yesterday is not run again, today's waits for its time.
  h.clock.set(wita("2026-12-09T07:00:00"));
  expect(await again.tick()).toEqual({ sla_digest: "not_due", sla_escalation: "not_due", sla_member_reminder: "not_due" });
});

test("a run that died half-way is taken over after its lease; one that keeps failing stops after 3 attempts", async () => {
  await worldAt(wita("2026-12-01T09:00:00"));
  h.clock.set(wita("2026-12-02T08:00:00"));
  // A process claimed the digest slot at 08:00 and died before finishing.
  await JobRun.create({
    job: "sla_digest",
    slot: "2026-12-02",
    dueAt: h.clock.now(),
    startedAt: h.clock.now(),
    leaseUntil: new Date(h.clock.now().getTime() + 10 * 60_000),
    runner: "dead",
  });
  const s = schedulerOf(h);
  h.clock.set(wita("2026-12-02T08:05:00"));
  expect((await s.tick()).sla_digest).toBe("taken");
  h.clock.set(wita("2026-12-02T08:11:00"));
  expect((await s.tick()).sla_digest).toBe("ran");
  expect(await JobRun.findOne({ job: "sla_digest" }).lean()).toMatchObject({ attempts: 2, finishedAt: expect.any(Date) });
  expect(await Outbox.countDocuments({ dedupeKey: "sla:digest:2026-12-02" })).toBe(1);

  const failing = createScheduler([{ name: "broken", at: "08:00", workingDaysOnly: true, run: () => Promise.reject(new Error("boom")) }], {
    clock: h.clock.now,
    logger: silentLogger,
  });
  const outcomes = [];
  for (let i = 0; i < 4; i++) outcomes.push((await failing.tick()).broken);
  expect(outcomes).toEqual(["failed", "failed", "failed", "gave_up"]);
  expect(await JobRun.findOne({ job: "broken" }).lean()).toMatchObject({ attempts: 3, finishedAt: null, error: "boom" });
});

test("two bot instances on one database run the same slot once", async () => {
  const r = await worldAt(wita("2026-12-01T09:00:00"));
  const h2 = new Harness(h.config);
  h2.clock.set(wita("2026-12-07T08:00:30"));
  h.clock.set(wita("2026-12-07T08:00:30"));
  const [a, b] = await Promise.all([schedulerOf(h).tick(), schedulerOf(h2).tick()]);
  for (const job of JOBS) expect([a[job], b[job]].sort()).toEqual(["ran", "taken"]);
  expect(await JobRun.countDocuments()).toBe(3);
  const digests = (await reminders()).filter((x) => x.dedupeKey.startsWith("sla:digest:"));
  expect(digests).toHaveLength(1);
  // Both dispatchers run; the group gets one digest.
  await Promise.all([h.drain(), h2.drain()]);
  const sent = [...h.telegram.textsTo(GROUP), ...h2.telegram.textsTo(GROUP)].filter((x) => x.startsWith(textOf("sla.digest_title", { date: "Senin, 7 Desember 2026" })));
  expect(sent).toHaveLength(1);
  expect(sent[0]).toContain(r.code);
  // Escalated once although both instances looked (due Fri 4 Dec; Mon 7 is 1 day late: not yet).
  expect((await Request.findById(r.id).lean())!.sla!.escalatedAt).toBeNull();
  h2.clock.set(wita("2026-12-08T08:00:30"));
  h.clock.set(wita("2026-12-08T08:00:30"));
  await Promise.all([schedulerOf(h).tick(), schedulerOf(h2).tick()]);
  expect(await Outbox.countDocuments({ dedupeKey: new RegExp(`^sla:esc:${r.id}:`) })).toBe(1);
});
