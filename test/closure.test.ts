/**
 * Closing the loop with the member: after *Selesai* the member is asked whether the problem is
 * solved. *Belum* with a reason (typed or a voice note) reopens the request for the officer who had
 * it; *Sudah* leads to stars and an optional comment; without an answer the request is accepted once
 * the cut-off passes. All through the real bot and dispatcher; DB state and texts from the locales.
 */
import mongoose from "mongoose";
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import type { Message, Update } from "grammy/types";
import type { BotError } from "grammy";
import type { BotContext } from "../src/bot/context";
import { Lock } from "../src/db/models/lock";
import { seen } from "./helpers/requests";
import { useTestDatabase } from "./helpers/db";
import { silentLogger, type Harness, type TestUser } from "./helpers/harness";
import { GROUP, cardMessageId, cardText, lastBotMessage, newMember, newRequest, officerWorld } from "./helpers/officers";
import { mentionOf, textOf } from "./helpers/localeText";
import { Request } from "../src/db/models/request";
import { Outbox } from "../src/db/models/outbox";
import { changeStatus, claimRequest, type Actor } from "../src/domain/workflow";
import { closeUnconfirmed, confirmResolved, rateRequest, reopenByMember, silentClosureJob } from "../src/domain/closure";
import { createScheduler } from "../src/domain/scheduler";
import { seedHolidayFiles } from "../src/domain/holidays";
import { JobRun } from "../src/db/models/job-run";
import path from "node:path";
import { closureButtonData } from "../src/telegram/callback-data";
import { isDatabaseUnavailable } from "../src/db/availability";
import { monthlyRecap } from "../src/domain/recap";
import { exportMonthCsv } from "../src/domain/export";
import { witaMonth } from "../src/lib/time";
import { parse } from "csv-parse/sync";
import { tFor, typeWords } from "../src/i18n";

const db = useTestDatabase();

let h: Harness;
let made: TestUser;
let sentraId: string;
const MADE: Actor = { telegramId: 9101, role: "officer", name: "Made" };
const type = textOf("labels.type.kemasan");
/** What the texts about a kemasan request fill in: its type and its noun (permohonan). */
const words = typeWords(tFor("id"), "kemasan");

beforeEach(async () => {
  ({ h, made, sentraId } = await officerWorld());
});

let memberSeq = 0;
/** A member with a request that Made took and finished (as the card's buttons do), everything delivered. */
async function finishedRequest(opts: { note?: string; at?: Date } = {}): Promise<{ member: TestUser; requestId: string; code: string }> {
  const id = 5200 + memberSeq++;
  const m = await newMember(id, { sentraId });
  const r = await newRequest(m, "kemasan", { now: opts.at });
  await h.drain();
  const now = opts.at ?? h.clock.now();
  expect((await claimRequest(r.id, MADE, { now: now, sla: SLA_DEFAULTS })).ok).toBe(true);
  expect((await changeStatus(r.id, MADE, "selesai", opts.note ?? "Label baru sudah dicetak.", { now: now, sla: SLA_DEFAULTS })).ok).toBe(true);
  await h.drain();
  return { member: h.user(id), requestId: r.id, code: r.code };
}

const lean = async (id: string) => (await Request.findById(id).lean())!;
const toast = (calls: { method: string; payload: Record<string, unknown> }[]) => calls.find((c) => c.method === "answerCallbackQuery")?.payload;

test("Selesai through the card asks the member Sudah / Belum; the card waits for the answer", async () => {
  const m = await newMember(5101, { sentraId });
  const r = await newRequest(m, "kemasan");
  await h.drain();
  const cardId = await cardMessageId(r.id);
  await made.press(textOf("officer.btn.claim"), { messageId: cardId });
  await h.drain();
  await made.press(textOf("officer.btn.done"), { messageId: cardId });
  await h.drain();
  await made.send("Desain label sudah jadi.", { replyTo: lastBotMessage(h, GROUP, /./).message_id });
  await h.drain();

  const doc = await lean(r.id);
  expect(doc).toMatchObject({ status: "selesai", confirmation: "waiting", reopenCount: 0, rating: null });
  expect(doc.resolvedAt).toBeInstanceOf(Date);
  const member = h.user(5101);
  expect(member.texts().slice(-2)).toEqual([
    textOf("officer.member.status.selesai", { ...words, code: r.code, note: "Desain label sudah jadi." }),
    textOf("closure.ask", { ...words, code: r.code }),
  ]);
  const ask = h.telegram.lastMessageTo(5101)!.payload.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] };
  expect(ask.inline_keyboard.flat()).toEqual([
    { text: textOf("closure.btn_yes"), callback_data: closureButtonData("y", r.id) },
    { text: textOf("closure.btn_no"), callback_data: closureButtonData("n", r.id) },
  ]);
  expect(await cardText(h, r.id)).toContain(textOf("closure.card.waiting"));
  // The question went out once, after the notice.
  expect(await Outbox.countDocuments({ dedupeKey: { $regex: ":ask$" } })).toBe(1);
});

test("Belum with a typed reason (without replying) reopens it for the same officer; card, group and member are told", async () => {
  const { member, requestId, code } = await finishedRequest();
  await member.press(textOf("closure.btn_no"));
  expect(member.lastText()).toBe(textOf("closure.ask_reason", { ...words, code }));
  expect(h.telegram.lastMessageTo(member.id)!.payload.reply_markup).toMatchObject({ force_reply: true });
  // Nothing changes before the reason comes.
  expect(await lean(requestId)).toMatchObject({ status: "selesai", confirmation: "waiting" });

  await member.send("Labelnya masih luntur kalau kena minyak.");
  await h.drain();
  const doc = await lean(requestId);
  expect(doc).toMatchObject({ status: "ditindaklanjuti", confirmation: "reopened", reopenCount: 1, assigneeTelegramId: 9101, closedAt: null });
  expect(doc.timeline.at(-1)).toMatchObject({
    kind: "reopened",
    role: "member",
    by: member.id,
    from: "selesai",
    to: "ditindaklanjuti",
    note: "Labelnya masih luntur kalau kena minyak.",
  });
  expect(member.lastText()).toBe(textOf("closure.reopened_ack", { ...words, code }));

  const cardId = await cardMessageId(requestId);
  const notice = h.telegram.callsOf("sendMessage", GROUP).at(-1)!;
  expect(notice.payload.text).toBe(`${textOf("closure.group_reopened", { code, officer: mentionOf(9101, "Made"), count: 1 })}\n\nLabelnya masih luntur kalau kena minyak.`);
  expect(notice.payload.reply_parameters).toMatchObject({ message_id: cardId });
  // The officer is mentioned (notified), not quoted as text.
  expect(String(notice.payload.text)).toContain(mentionOf(9101, "Made"));
  const card = await cardText(h, requestId);
  expect(card).toContain(textOf("officer.card.status", { status: textOf("labels.status.ditindaklanjuti") }));
  expect(card).toContain(textOf("closure.card.reopened", { count: 1 }));
  expect(card).toContain(textOf("closure.card.reason", { reason: "Labelnya masih luntur kalau kena minyak." }));
  // Back in the officer's hands: Selesai is offered again.
  const labels = (h.telegram.messages.get(`${GROUP}:${cardId}`)!.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard.flat().map((b) => b.text);
  expect(labels).toContain(textOf("officer.btn.done"));

  // The old question pressed again: said so, nothing changes.
  const again = await member.press(textOf("closure.btn_no"));
  expect(toast(again)).toMatchObject({ text: textOf("closure.already_reopened", { ...words, code }), show_alert: true });
  const yes = await member.press(textOf("closure.btn_yes"));
  expect(toast(yes)?.text).toBe(textOf("closure.already_reopened", { ...words, code }));
  expect(await lean(requestId)).toMatchObject({ reopenCount: 1, confirmation: "reopened" });

  // Finished again: a new question; the card keeps the count.
  expect((await changeStatus(requestId, MADE, "selesai", "Label diganti bahan tahan minyak.", { now: h.clock.now(), sla: SLA_DEFAULTS })).ok).toBe(true);
  await h.drain();
  expect(await lean(requestId)).toMatchObject({ status: "selesai", confirmation: "waiting", reopenCount: 1 });
  expect(member.lastText()).toBe(textOf("closure.ask", { ...words, code }));
  expect(await cardText(h, requestId)).toContain(textOf("closure.card.reopened", { count: 1 }));
});

test("Belum with a voice note as a reply; stickers, photos, overlong text and empty text are refused and change nothing", async () => {
  const { member, requestId, code } = await finishedRequest();
  await member.press(textOf("closure.btn_no"));
  const prompt = h.telegram.lastMessageTo(member.id)!.result as Message;

  await member.sticker({ replyTo: prompt.message_id });
  expect(member.lastText()).toBe(textOf("closure.reason_wrong_kind"));
  await member.photo("ph-1", { replyTo: prompt.message_id });
  expect(member.lastText()).toBe(textOf("closure.reason_wrong_kind"));
  await member.send("x".repeat(1001), { replyTo: prompt.message_id });
  expect(member.lastText()).toBe(textOf("dialog.too_long", { max: 1000, count: 1001 }));
  await member.send("   ", { replyTo: prompt.message_id });
  expect(member.lastText()).toBe(textOf("dialog.empty_text"));
  expect(await lean(requestId)).toMatchObject({ status: "selesai", confirmation: "waiting", reopenCount: 0 });

  await member.voice("voice-reason", 9, { replyTo: prompt.message_id });
  await h.drain();
  const doc = await lean(requestId);
  expect(doc).toMatchObject({ status: "ditindaklanjuti", confirmation: "reopened", reopenCount: 1 });
  expect(doc.timeline.at(-1)).toMatchObject({ kind: "reopened", attachments: [{ kind: "voice", fileId: "voice-reason", duration: 9 }] });
  const voice = h.telegram.callsOf("sendVoice", GROUP).at(-1)!;
  expect(voice.payload).toMatchObject({ voice: "voice-reason", caption: textOf("closure.group_reopened", { code, officer: mentionOf(9101, "Made"), count: 1 }) });
  expect(await cardText(h, requestId)).toContain(textOf("closure.card.reason", { reason: textOf("closure.card.reason_voice") }));
  expect(member.lastText()).toBe(textOf("closure.reopened_ack", { ...words, code }));
});

test("Sudah, four stars and a comment: stored on the request and the timeline, shown on the card; double presses change nothing", async () => {
  const { member, requestId, code } = await finishedRequest();
  const question = member.findButton(textOf("closure.btn_yes"))!;
  await member.press(textOf("closure.btn_yes"));
  expect(member.lastText()).toBe(textOf("closure.ask_rating", { ...words, code }));
  expect(await lean(requestId)).toMatchObject({ status: "selesai", confirmation: "confirmed" });
  // The same Sudah again: the stars again, nothing new stored.
  await member.press(question.data, { raw: true, messageId: question.messageId });
  expect((await lean(requestId)).timeline.filter((e) => e.kind === "confirmed")).toHaveLength(1);

  await member.press(`${"⭐".repeat(4)} ${textOf("closure.star_4")}`);
  expect(member.lastText()).toBe(textOf("closure.ask_comment", { stars: "⭐⭐⭐⭐" }));
  const second = await member.press(closureButtonData("2", requestId), { raw: true, messageId: question.messageId });
  expect(toast(second)).toMatchObject({ text: textOf("closure.already_rated"), show_alert: true });

  await member.send("Pelayanannya cepat, terima kasih.");
  expect(member.lastText()).toBe(textOf("closure.thanks"));
  await h.drain();
  const doc = await lean(requestId);
  expect(doc.rating).toMatchObject({ stars: 4, comment: "Pelayanannya cepat, terima kasih." });
  expect(doc.rating!.at).toBeInstanceOf(Date);
  expect(doc.timeline.slice(-3).map((e) => [e.kind, e.stars ?? null, e.note ?? null])).toEqual([
    ["confirmed", null, null],
    ["rating", 4, null],
    ["rating_comment", null, "Pelayanannya cepat, terima kasih."],
  ]);
  const card = await cardText(h, requestId);
  expect(card).toContain(textOf("closure.card.confirmed"));
  expect(card).toContain(textOf("closure.card.rating", { stars: "⭐⭐⭐⭐", n: 4 }));
  expect(card).toContain(textOf("closure.card.comment", { comment: "Pelayanannya cepat, terima kasih." }));
  // The member's own /status shows the answer in the timeline.
  await member.send(`/status ${code}`);
  const status = member.lastText();
  expect(status).toContain(`${textOf("status.tl_rating")} ⭐⭐⭐⭐`);
  expect(status).toContain(textOf("status.tl_rating_comment"));
  // A later message is no second comment (the prompt is spent): it goes the usual way.
  await member.send("Satu lagi.");
  expect((await lean(requestId)).rating!.comment).toBe("Pelayanannya cepat, terima kasih.");
  expect(member.lastText()).toBe(textOf("unhandled.member_no_open"));
});

test("Sudah, five stars, Lewati: no comment; a voice note as comment is refused", async () => {
  const { member, requestId } = await finishedRequest();
  await member.press(textOf("closure.btn_yes"));
  await member.press(`${"⭐".repeat(5)} ${textOf("closure.star_5")}`);
  await member.voice("v-comment");
  expect(member.lastText()).toBe(textOf("closure.comment_wrong_kind"));
  await member.press(textOf("closure.btn_skip"));
  expect(member.lastText()).toBe(textOf("closure.thanks"));
  const doc = await lean(requestId);
  expect(doc.rating).toMatchObject({ stars: 5 });
  expect(doc.rating!.comment).toBeUndefined();
  expect(doc.timeline.filter((e) => e.kind === "rating_comment")).toHaveLength(0);
});

test("forged and stale buttons: another person, a request that is not finished, stars before Sudah, an unknown request", async () => {
  const { member, requestId, code } = await finishedRequest();
  const stranger = h.user(5999);
  await newMember(5999, { sentraId });
  for (const action of ["y", "n", "5", "skip"] as const) {
    const calls = await stranger.press(closureButtonData(action, requestId), { raw: true });
    expect(toast(calls)).toMatchObject({ text: textOf("closure.not_yours"), show_alert: true });
  }
  // Stars without Sudah: refused, the question still waits.
  const early = await member.press(closureButtonData("5", requestId), { raw: true });
  expect(toast(early)?.text).toBe(textOf("closure.not_waiting", { ...words, code, status: textOf("labels.status.selesai") }));
  expect(await lean(requestId)).toMatchObject({ confirmation: "waiting", rating: null, reopenCount: 0 });

  // A request still open: nothing to confirm.
  const m = await newMember(5998, { sentraId });
  const open = await newRequest(m, "kemasan");
  const mine = await h.user(5998).press(closureButtonData("y", open.id), { raw: true });
  expect(toast(mine)?.text).toBe(textOf("closure.not_waiting", { ...words, code: open.code, status: textOf("labels.status.diterima") }));
  expect(await lean(open.id)).toMatchObject({ status: "diterima", confirmation: null });
  const unknown = await member.press(closureButtonData("y", new mongoose.Types.ObjectId().toString()), { raw: true });
  expect(toast(unknown)?.text).toBe(textOf("closure.not_yours"));
  // The domain refuses the same, whatever the channel.
  expect(await reopenByMember(requestId, 5999, { text: "x" }, { chatId: 5999, messageId: 1 }, { now: new Date(), sla: SLA_DEFAULTS })).toMatchObject({
    ok: false,
    reason: "not_found",
  });
  expect(await rateRequest(requestId, member.id, 9, { now: new Date(), sla: SLA_DEFAULTS })).toMatchObject({ ok: false, reason: "bad_stars" });
});

test("closure by silence: only requests finished before the cut-off, once, also with two runs at once", async () => {
  const early = await finishedRequest({ at: new Date("2026-11-02T02:00:00Z") });
  const late = await finishedRequest({ at: new Date("2026-11-16T02:00:00Z") });
  const answered = await finishedRequest({ at: new Date("2026-11-02T03:00:00Z") });
  expect((await confirmResolved(answered.requestId, answered.member.id, { now: new Date("2026-11-03T00:00:00Z"), sla: SLA_DEFAULTS })).ok).toBe(true);
  const now = new Date("2026-11-20T00:00:00Z");

  // Not before its cut-off: finished exactly at the cut-off is not yet due.
  expect(await closeUnconfirmed({ now: now, sla: SLA_DEFAULTS }, new Date("2026-11-02T02:00:00Z"))).toBe(0);
  expect(await lean(early.requestId)).toMatchObject({ confirmation: "waiting" });

  // Two processes run the same day's job at once: each request closed once.
  const cutoff = new Date("2026-11-06T00:00:00Z");
  const runs = await Promise.all([closeUnconfirmed({ now: now, sla: SLA_DEFAULTS }, cutoff), closeUnconfirmed({ now: now, sla: SLA_DEFAULTS }, cutoff)]);
  expect(runs[0] + runs[1]).toBe(1);
  expect(await closeUnconfirmed({ now: now, sla: SLA_DEFAULTS }, cutoff)).toBe(0);
  await h.drain();

  const doc = await lean(early.requestId);
  expect(doc).toMatchObject({ status: "selesai", confirmation: "closed_silently" });
  expect(doc.timeline.filter((e) => e.kind === "accepted")).toEqual([expect.objectContaining({ role: "system", by: 0, at: now })]);
  expect(early.member.lastText()).toBe(textOf("closure.accepted_member", { ...words, code: early.code }));
  expect(await cardText(h, early.requestId)).toContain(textOf("closure.card.closed_silently", { days: 10 }));
  expect(await lean(late.requestId)).toMatchObject({ confirmation: "waiting" });
  expect(await lean(answered.requestId)).toMatchObject({ confirmation: "confirmed" });
  // The member answers too late: said so, nothing changes.
  const pressed = await early.member.press(textOf("closure.btn_no"));
  expect(toast(pressed)?.text).toBe(textOf("closure.already_closed", { ...words, code: early.code }));
  expect(await lean(early.requestId)).toMatchObject({ confirmation: "closed_silently", reopenCount: 0 });
});

test("/rekap and the export show ratings and reopenings per type and per officer", async () => {
  const komang = { telegramId: 9102, role: "officer" as const, name: "Komang" };
  const a = await finishedRequest();
  const b = await finishedRequest();
  const c = await finishedRequest();
  const now = h.clock.now();
  await confirmResolved(a.requestId, a.member.id, { now: now, sla: SLA_DEFAULTS });
  await rateRequest(a.requestId, a.member.id, 5, { now: now, sla: SLA_DEFAULTS });
  await confirmResolved(b.requestId, b.member.id, { now: now, sla: SLA_DEFAULTS });
  await rateRequest(b.requestId, b.member.id, 4, { now: now, sla: SLA_DEFAULTS });
  await reopenByMember(c.requestId, c.member.id, { text: "Belum" }, { chatId: c.member.id, messageId: 1 }, { now: now, sla: SLA_DEFAULTS });
  // A produksi request Komang (an admin-added officer) finished, reopened twice.
  const m = await newMember(5300, { sentraId });
  const p = await newRequest(m, "produksi");
  await claimRequest(p.id, { ...komang, role: "admin" }, { now: now, sla: SLA_DEFAULTS });
  for (let i = 0; i < 2; i++) {
    await changeStatus(p.id, { ...komang, role: "admin" }, "selesai", "Mesin diperbaiki.", { now: now, sla: SLA_DEFAULTS });
    await reopenByMember(p.id, 5300, { text: "Masih rusak" }, { chatId: 5300, messageId: 10 + i }, { now: now, sla: SLA_DEFAULTS });
  }

  const recap = await monthlyRecap(witaMonth(now));
  expect(recap.service.byType.kemasan).toEqual({ resolved: 3, confirmed: 2, closedSilently: 0, reopened: 1, reopenings: 1, rated: 2, starsTotal: 9, closed: 2, onTime: 2 });
  expect(recap.service.byType.produksi).toMatchObject({ resolved: 1, reopened: 1, reopenings: 2, rated: 0 });
  expect(recap.service.byOfficer).toEqual([
    { telegramId: 9102, name: null, figures: expect.objectContaining({ reopenings: 2, rated: 0 }) },
    { telegramId: 9101, name: "Made", figures: expect.objectContaining({ resolved: 3, rated: 2, starsTotal: 9 }) },
  ]);

  const [sent] = await made.send("/rekap");
  const text = String(sent.payload.text);
  const rating = (avg: number, count: number) => textOf("reports.rating", { avg, count });
  expect(text).toContain(textOf("reports.service_title"));
  expect(text).toContain(textOf("reports.service_line", { name: type, resolved: 3, confirmed: 2, silent: 0, reopenings: 1, onTime: 2, closed: 2, rating: rating(4.5, 2) }));
  expect(rating(4.5, 2)).toContain("4,5");
  expect(text).toContain(
    textOf("reports.service_line", {
      name: textOf("labels.type.produksi"),
      resolved: 1,
      confirmed: 0,
      silent: 0,
      reopenings: 2,
      onTime: 0,
      closed: 0,
      rating: textOf("reports.no_rating"),
    }),
  );
  expect(text).toContain(textOf("reports.service_by_officer"));
  expect(text).toContain(textOf("reports.service_line", { name: "Made", resolved: 3, confirmed: 2, silent: 0, reopenings: 1, onTime: 2, closed: 2, rating: rating(4.5, 2) }));

  const { csv } = await exportMonthCsv({ month: witaMonth(now), includePhone: false });
  const rows = parse(csv.slice(1), { columns: true, delimiter: ";" }) as Record<string, string>[];
  const byCode = new Map(rows.map((r) => [r.kode, r]));
  expect(byCode.get(a.code)).toMatchObject({ konfirmasi_anggota: "confirmed", nilai: "5", dibuka_lagi: "0", saran_anggota: "", tepat_waktu: "ya" });
  expect(byCode.get(c.code)).toMatchObject({ konfirmasi_anggota: "reopened", nilai: "", dibuka_lagi: "1", status: "ditindaklanjuti", tepat_waktu: "" });
  expect(byCode.get(a.code)!.selesai_wita).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
});

test("the database goes away while a member rates: refused visibly, not stored; stored once when the update comes again", async () => {
  const { member, requestId } = await finishedRequest();
  await member.press(textOf("closure.btn_yes"));
  const star = member.findButton(`${"⭐".repeat(3)} ${textOf("closure.star_3")}`)!;
  const update = {
    update_id: 990_001,
    callback_query: {
      id: "cq-fault",
      from: member.user,
      chat_instance: "ci",
      data: star.data,
      message: h.telegram.messages.get(`${member.id}:${star.messageId}`),
    },
  } as unknown as Update;

  // The connection drops inside the handler, as the rating's write begins (the request's lock is its
  // first database call): the update was claimed and the member read before it.
  const uri = process.env.MONGODB_TEST_URI!;
  mongoose.set("bufferTimeoutMS", 300);
  const insertMany = Lock.insertMany.bind(Lock) as (...args: unknown[]) => Promise<unknown>;
  let wasCut = false;
  const cutThenInsert = async (...args: unknown[]) => {
    wasCut = true;
    await mongoose.connection.close();
    return insertMany(...args);
  };
  const cut = jest.spyOn(Lock, "insertMany").mockImplementationOnce(cutThenInsert as never);
  const before = h.telegram.calls.length;
  try {
    const err = await h.bot.handleUpdate(update).then(
      () => null,
      (e: unknown) => e as BotError<BotContext>,
    );
    // Where the runner and the webhook server see it: retried, or 503 so Telegram re-sends it.
    expect(isDatabaseUnavailable(err)).toBe(true);
    await h.bot.errorHandler(err!);
  } finally {
    cut.mockRestore();
    mongoose.set("bufferTimeoutMS", 10_000);
    if (mongoose.connection.readyState !== 1) await mongoose.connect(uri, { dbName: db.name });
  }
  expect(wasCut).toBe(true);
  // The member sees it did not work (and the star stays pressable).
  expect(seen(h.telegram.calls.slice(before))).toEqual([textOf("errors.internal")]);
  expect((await lean(requestId)).rating).toBeNull();

  await h.bot.handleUpdate(update);
  await h.bot.handleUpdate(update);
  const doc = await lean(requestId);
  expect(doc.rating).toMatchObject({ stars: 3 });
  expect(doc.timeline.filter((e) => e.kind === "rating")).toHaveLength(1);
  expect(member.lastText()).toBe(textOf("closure.ask_comment", { stars: "⭐⭐⭐" }));
});

test("the daily job closes a finished request after 10 full working days of silence (holidays and weekends not counted), once", async () => {
  await seedHolidayFiles(path.resolve(__dirname, "..", "data", "holidays"));
  // Finished Wed 10 Jun 2026 in the afternoon (WITA). Working days after it: 11, 12, 15, 19 (16–18 are
  // 1 Muharam, Galungan and Umanis Galungan), 22, 23, 24, 25, 29 (26 is Penampahan Kuningan), 30: the
  // tenth ends on Tue 30 Jun.
  const done = await finishedRequest({ at: new Date("2026-06-10T07:00:00Z") });
  const s = createScheduler([silentClosureJob({ ...SLA_DEFAULTS, digestTime: "08:00" })], { clock: h.clock.now, logger: silentLogger });
  h.clock.set(new Date("2026-06-30T00:30:00Z")); // Tue 30 Jun, 08:30 WITA: the member still has today
  expect(await s.tick()).toEqual({ closure_silent: "ran" });
  expect(await lean(done.requestId)).toMatchObject({ confirmation: "waiting" });
  h.clock.set(new Date("2026-07-01T00:30:00Z")); // Wed 1 Jul, 08:30 WITA
  expect(await s.tick()).toEqual({ closure_silent: "ran" });
  expect(await lean(done.requestId)).toMatchObject({ status: "selesai", confirmation: "closed_silently" });
  expect(JSON.parse((await JobRun.findOne({ job: "closure_silent", slot: "2026-07-01" }).lean())!.result!)).toMatchObject({ closed: 1 });
  // Again the same day (another process, or a restart): nothing more.
  expect(await s.tick()).toEqual({ closure_silent: "taken" });
  expect((await lean(done.requestId)).timeline.filter((e) => e.kind === "accepted")).toHaveLength(1);
  // The member's timeline names the period.
  await done.member.send(`/status ${done.code}`);
  expect(done.member.lastText()).toContain(textOf("status.tl_accepted", { days: 10 }));
});
