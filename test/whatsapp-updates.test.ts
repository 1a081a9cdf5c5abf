/**
 * The officers' side reaching a member on WhatsApp: the member wrote last on WhatsApp, so every
 * update about their request (claimed, a question, a message, selesai and the closure question)
 * goes there through the outbox's WhatsApp side, rendered from the same definitions as on Telegram,
 * and none goes to Telegram. The member answers the question, confirms, rates and comments by the
 * buttons under those updates. Outside the 24-hour window one template goes and the updates wait
 * for the member's tap, then follow in order; Meta's 131047 does the same; a 500 delivers later;
 * writing on Telegram again brings the updates back there.
 */
import { useTestDatabase } from "./helpers/db";
import { GROUP, cardMessageId, cardText, lastBotMessage, messageMember, newMember, newRequest, officerWorld } from "./helpers/officers";
import type { Harness, TestUser } from "./helpers/harness";
import { WhatsAppWorld } from "./helpers/whatsapp";
import { createProgram } from "../src/domain/programs";
import { announceProgram } from "../src/domain/program-notices";
import { ProgramSeat } from "../src/db/models/program-seat";
import { programButtonData } from "../src/telegram/callback-data";
import { announcement, joinReply } from "../src/telegram/program-messages";
import { textOf } from "./helpers/localeText";
import { htmlToWhatsApp } from "../src/whatsapp/format";
import { TEMPLATE_TAP } from "../src/whatsapp/dispatcher";
import { answerButtonData, closureButtonData } from "../src/telegram/callback-data";
import { tFor, typeWords } from "../src/i18n";
import { Request } from "../src/db/models/request";
import { Outbox } from "../src/db/models/outbox";
import { Member } from "../src/db/models/member";
import { AuditLog } from "../src/db/models/audit-log";
import { monthlyRecap } from "../src/domain/recap";
import { witaMonth } from "../src/lib/time";

useTestDatabase();

const NUMBER = "6281234567890"; // newMember's phone, as WhatsApp gives it
const MEMBER = 5101;
const t = tFor("id");
const plain = (key: string, vars?: Record<string, unknown>) => htmlToWhatsApp(textOf(key, vars));
let h: Harness;
let made: TestUser;
let wa: WhatsAppWorld;

beforeEach(async () => {
  ({ h, made } = await officerWorld());
  wa = await new WhatsAppWorld({ clock: h.clock.now }).start();
});
afterEach(async () => {
  await wa.stop();
});

/** A member registered on Telegram who then writes on WhatsApp, and a request of theirs with its card in the group. */
async function memberOnWhatsApp() {
  const member = await newMember(MEMBER, { name: "Ni Luh Sari" });
  const r = await newRequest(member, "kemasan");
  await h.drain();
  await wa.say(wa.graph.text(NUMBER, "halo"));
  expect(await Member.findOne({ telegramId: MEMBER }).lean()).toMatchObject({ channel: "whatsapp", whatsapp: { waId: NUMBER } });
  return { requestId: r.id, code: r.code, cardId: await cardMessageId(r.id) };
}

/** The officers act, both dispatchers send what is due. */
async function deliver() {
  await h.drain();
  await wa.dispatcher.drain();
}

const toMemberOnTelegram = () => h.telegram.calls.filter((c) => c.payload.chat_id === MEMBER);
const lastWa = () => wa.graph.sent.filter((m) => m.to === NUMBER).at(-1)!;
const interactiveIds = (m: { payload: Record<string, unknown> }) => {
  const i = m.payload.interactive as { action: { buttons?: { reply: { id: string } }[]; sections?: { rows: { id: string }[] }[] } };
  return [...(i.action.buttons ?? []).map((b) => b.reply.id), ...(i.action.sections ?? []).flatMap((s) => s.rows.map((r) => r.id))];
};

test("claimed, a question answered by Jawab, selesai, Sudah, stars and a comment: all on WhatsApp, none on Telegram", async () => {
  const { requestId, code, cardId } = await memberOnWhatsApp();
  const words = { ...typeWords(t, "kemasan"), code };
  const before = toMemberOnTelegram().length;

  await made.press(t("officer.btn.claim"), { messageId: cardId });
  await deliver();
  expect(wa.graph.textsTo(NUMBER).at(-1)).toBe(plain("officer.member.claimed", words));

  await made.press(t("officer.btn.info"), { messageId: cardId });
  await h.drain();
  await made.send("Berapa bungkus per bulan?", { replyTo: lastBotMessage(h, GROUP, /tulis pertanyaan/).message_id });
  await deliver();
  const question = lastWa();
  expect(question.type).toBe("interactive");
  expect(interactiveIds(question)).toEqual([answerButtonData(requestId)]);
  expect(await Request.findById(requestId).lean()).toMatchObject({ status: "perlu_info" });

  await wa.say(wa.graph.buttonReply(NUMBER, answerButtonData(requestId), t("officer.member.btn_answer")));
  expect(wa.graph.textsTo(NUMBER).at(-1)).toBe(plain("officer.member.answer_prompt", words));
  await wa.say(wa.graph.text(NUMBER, "Sekitar 200 bungkus"));
  await deliver();
  const answered = await Request.findById(requestId).lean();
  expect(answered).toMatchObject({ status: "ditelaah" });
  expect(answered!.timeline.find((e) => e.kind === "answer")).toMatchObject({ by: MEMBER, role: "member", note: "Sekitar 200 bungkus" });
  // The answer reached the group as a reply to the card, and the member was told.
  expect(h.telegram.textsTo(GROUP).some((x) => x.includes("Sekitar 200 bungkus"))).toBe(true);
  expect(wa.graph.textsTo(NUMBER)).toContain(plain("officer.member.ack_status", { code, status: t("labels.status.ditelaah") }));

  await made.press(t("officer.btn.done"), { messageId: cardId });
  await h.drain();
  await made.send("Desain label sudah dikirim.", { replyTo: lastBotMessage(h, GROUP, /apa yang sudah dilakukan/).message_id });
  await deliver();
  const ask = lastWa();
  expect(interactiveIds(ask)).toEqual([closureButtonData("y", requestId), closureButtonData("n", requestId)]);

  await wa.say(wa.graph.buttonReply(NUMBER, closureButtonData("y", requestId)));
  expect(interactiveIds(lastWa())).toEqual(["5", "4", "3", "2", "1"].map((n) => closureButtonData(n as "5", requestId)));
  await wa.say(wa.graph.listReply(NUMBER, closureButtonData("5", requestId)));
  await wa.say(wa.graph.text(NUMBER, "Sangat membantu, terima kasih"));
  await deliver();
  const closed = await Request.findById(requestId).lean();
  expect(closed).toMatchObject({ confirmation: "confirmed", rating: { stars: 5, comment: "Sangat membantu, terima kasih" } });
  expect(wa.graph.textsTo(NUMBER).at(-1)).toBe(plain("closure.thanks"));
  // Nothing about the request went to the member's Telegram chat, and no tag reached WhatsApp.
  expect(toMemberOnTelegram().length).toBe(before);
  expect(wa.graph.htmlLeaks).toEqual([]);
  expect(await Outbox.countDocuments({ channel: "whatsapp", status: { $ne: "sent" } })).toBe(0);
});

test("outside the 24-hour window: one template, the updates wait for the tap and then follow in order", async () => {
  const { requestId, code, cardId } = await memberOnWhatsApp();
  h.clock.advance(25 * 3600_000);
  await made.press(t("officer.btn.claim"), { messageId: cardId });
  await h.drain();
  await messageMember(h, made, cardId, "Mohon kirim foto kemasan lama.");
  await deliver();
  await wa.dispatcher.drain();
  const templates = wa.graph.sent.filter((m) => m.to === NUMBER && m.type === "template");
  expect(templates).toHaveLength(1);
  const params = (templates[0].payload.template as { components: { type: string; parameters: { text?: string; payload?: string }[] }[] }).components;
  expect(params.find((c) => c.type === "body")!.parameters.map((p) => p.text)).toEqual([code, t("whatsapp.summary.member")]);
  expect(params.find((c) => c.type === "button")!.parameters[0].payload).toBe(TEMPLATE_TAP);
  // The first waits for the member, the second behind it.
  expect(await Outbox.countDocuments({ channel: "whatsapp", status: "pending" })).toBe(2);
  expect(await Outbox.countDocuments({ channel: "whatsapp", status: "pending", awaitingMember: true })).toBe(1);
  expect(await AuditLog.countDocuments({ action: "whatsapp.template" })).toBe(1);
  // The month's recap counts it (Meta bills each template).
  expect((await monthlyRecap(witaMonth(h.clock.now()))).whatsappTemplates).toBe(1);
  // No free-form message was tried outside the window.
  expect(wa.graph.refused.filter((r) => r.code === 131047)).toEqual([]);

  const sentBefore = wa.graph.sent.length;
  await wa.say(wa.graph.templateTap(NUMBER, TEMPLATE_TAP));
  const after = wa.graph.sent
    .slice(sentBefore)
    .map((m) => (m.type === "text" ? (m.payload.text as { body: string }).body : (m.payload.interactive as { body: { text: string } }).body.text));
  expect(after[0]).toBe(plain("officer.member.claimed", { ...typeWords(t, "kemasan"), code }));
  expect(after[1]).toContain("Mohon kirim foto kemasan lama.");
  expect(after).toHaveLength(2);
  expect(await Outbox.countDocuments({ channel: "whatsapp", status: "pending" })).toBe(0);
  expect(requestId).toBeTruthy();
});

test("Meta's 131047 and a 500: the template instead, then delivered once after the tap; nothing lost", async () => {
  const { code, cardId } = await memberOnWhatsApp();
  // Meta's own clock says the window closed (e.g. the member's last message was not seen by us).
  wa.graph.failNext(1, { status: 500, code: 131000 });
  await made.press(t("officer.btn.claim"), { messageId: cardId });
  await deliver();
  expect(await Outbox.countDocuments({ channel: "whatsapp", status: "pending" })).toBe(1);
  h.clock.advance(60_000);
  wa.graph.failNext(1, { status: 400, code: 131047, details: "Re-engagement message" });
  await wa.dispatcher.drain();
  expect(wa.graph.sent.filter((m) => m.to === NUMBER && m.type === "template")).toHaveLength(1);
  await wa.say(wa.graph.templateTap(NUMBER, TEMPLATE_TAP));
  expect(wa.graph.textsTo(NUMBER).filter((x) => x === plain("officer.member.claimed", { ...typeWords(t, "kemasan"), code }))).toHaveLength(1);
  expect(await Outbox.countDocuments({ channel: "whatsapp", status: "pending" })).toBe(0);
});

test("the member writes on Telegram again: the next update goes to Telegram, not WhatsApp", async () => {
  const { code, cardId } = await memberOnWhatsApp();
  await h.user(MEMBER).send("/status");
  expect(await Member.findOne({ telegramId: MEMBER }).lean()).toMatchObject({ channel: "telegram" });
  const waBefore = wa.graph.sent.length;
  await made.press(t("officer.btn.claim"), { messageId: cardId });
  await deliver();
  expect(h.telegram.textsTo(MEMBER)).toContain(t("officer.member.claimed", { ...typeWords(t, "kemasan"), code }));
  expect(wa.graph.sent.length).toBe(waBefore);
});

test("Meta reports an update as failed: the card shows it once, with Meta's reason", async () => {
  const { requestId, cardId } = await memberOnWhatsApp();
  await made.press(t("officer.btn.claim"), { messageId: cardId });
  await deliver();
  const claimed = lastWa();
  await wa.status(claimed.wamid, "delivered");
  await wa.status(claimed.wamid, "failed", [{ code: 131026, title: "Message undeliverable", details: "Receiver is incapable of receiving this message" }]);
  await wa.status(claimed.wamid, "failed", [{ code: 131026, title: "Message undeliverable", details: "Receiver is incapable of receiving this message" }]);
  await h.drain();
  const deliveries = (await Request.findById(requestId).lean())!.timeline.filter((e) => e.kind === "delivery");
  expect(deliveries.map((e) => e.note)).toEqual(["WhatsApp 131026: Receiver is incapable of receiving this message"]);
  expect(await cardText(h, requestId)).toContain("Receiver is incapable of receiving this message");
  // A status of a message that was no update (a dialogue's reply) is recorded and touches no request.
  await wa.status(wa.graph.sent[0].wamid, "failed", [{ code: 131049, title: "Not delivered", details: "ecosystem" }]);
  expect((await Request.findById(requestId).lean())!.timeline.filter((e) => e.kind === "delivery")).toHaveLength(1);
});

test("a reply (quote) to an officer's message goes to the officers as the member's answer; /batal and words work as commands", async () => {
  const { requestId, cardId } = await memberOnWhatsApp();
  await made.press(t("officer.btn.claim"), { messageId: cardId });
  await h.drain();
  await messageMember(h, made, cardId, "Kemasannya ukuran berapa?");
  await deliver();
  const relay = lastWa();
  await wa.say({ ...wa.graph.text(NUMBER, "Ukuran 250 gram"), context: { from: "6281100000000", id: relay.wamid } });
  await h.drain();
  const answer = (await Request.findById(requestId).lean())!.timeline.find((e) => e.kind === "answer");
  expect(answer).toMatchObject({ note: "Ukuran 250 gram", role: "member", by: MEMBER });
  expect(h.telegram.textsTo(GROUP).some((x) => x.includes("Ukuran 250 gram"))).toBe(true);
  // A quote of a message that was no update (the menu) is no answer: the menu answers as for any text.
  const menuMessage = wa.graph.sent.find((m) => m.to === NUMBER && m.type === "interactive")!;
  await wa.say({ ...wa.graph.text(NUMBER, "halo"), context: { from: "6281100000000", id: menuMessage.wamid } });
  expect((await Request.findById(requestId).lean())!.timeline.filter((e) => e.kind === "answer")).toHaveLength(1);
  // "/batal" mid-dialogue cancels, as on Telegram.
  await wa.say(wa.graph.listReply(NUMBER, "menu:pelatihan"));
  await wa.say(wa.graph.text(NUMBER, "/batal"));
  expect(wa.graph.textsTo(NUMBER).at(-1)!.startsWith(plain("dialog.cancelled"))).toBe(true);
});

test("a free message outside a dialogue is offered to the member's open requests; the pick sends it to the officers", async () => {
  const { requestId, code } = await memberOnWhatsApp();
  await wa.say(wa.graph.text(NUMBER, "Kemasan lama sudah habis, mohon dipercepat"));
  const offer = wa.graph.textsTo(NUMBER).at(-1)!;
  expect(offer.startsWith(plain("unhandled.which_request"))).toBe(true);
  expect(offer).toContain(code);
  // Not a pick: asked again, nothing sent.
  await wa.say(wa.graph.text(NUMBER, "entahlah"));
  expect(wa.graph.textsTo(NUMBER).slice(-2)[0]).toBe(plain("dialog.expect_choice"));
  await wa.say(wa.graph.text(NUMBER, "1"));
  // Said at once, then the acknowledgement once the message is on its way to the officers.
  expect(wa.graph.textsTo(NUMBER).slice(-2)).toEqual([plain("unhandled.sent_to", { code }), plain("officer.member.ack", { code })]);
  await h.drain();
  const answers = (await Request.findById(requestId).lean())!.timeline.filter((e) => e.kind === "answer");
  expect(answers.map((e) => e.note)).toEqual(["Kemasan lama sudah habis, mohon dipercepat"]);
  expect(h.telegram.textsTo(GROUP).some((x) => x.includes("Kemasan lama sudah habis"))).toBe(true);
  // "Tidak usah" sends nothing.
  await wa.say(wa.graph.text(NUMBER, "Satu lagi"));
  await wa.say(wa.graph.text(NUMBER, t("unhandled.btn_no")));
  expect(wa.graph.textsTo(NUMBER).at(-1)).toBe(plain("unhandled.not_sent"));
  expect((await Request.findById(requestId).lean())!.timeline.filter((e) => e.kind === "answer")).toHaveLength(1);
});

test("the member's 'last wrote' is written at most once a minute (the window keeps its margin), and again after that", async () => {
  await memberOnWhatsApp();
  const first = (await Member.findOne({ telegramId: MEMBER }).lean())!.whatsapp!.lastInboundAt!;
  h.clock.advance(10_000);
  await wa.say(wa.graph.text(NUMBER, "status"));
  expect((await Member.findOne({ telegramId: MEMBER }).lean())!.whatsapp!.lastInboundAt).toEqual(first);
  h.clock.advance(60_000);
  await wa.say(wa.graph.text(NUMBER, "status"));
  const again = (await Member.findOne({ telegramId: MEMBER }).lean())!.whatsapp!.lastInboundAt!;
  expect(again.getTime()).toBeGreaterThanOrEqual(first.getTime() + 70_000);
});

test("131047 after an earlier template: a new template for this absence, once, and the updates behind it wait for it", async () => {
  const { code, cardId } = await memberOnWhatsApp();
  // An earlier absence: its template went days ago; the member has written since.
  await Member.updateOne({ telegramId: MEMBER }, { $set: { "whatsapp.templateAt": new Date(h.clock.now().getTime() - 3 * 24 * 3600_000) } });
  wa.graph.failNext(1, { status: 400, code: 131047, details: "Re-engagement message" });
  await made.press(t("officer.btn.claim"), { messageId: cardId });
  await messageMember(h, made, cardId, "Mohon kirim ukuran kemasan.");
  await deliver();
  await wa.dispatcher.drain();
  expect(wa.graph.sent.filter((m) => m.to === NUMBER && m.type === "template")).toHaveLength(1);
  expect(wa.graph.refused.filter((r) => r.code === 131047)).toHaveLength(1);
  expect(await Outbox.countDocuments({ channel: "whatsapp", status: "pending" })).toBe(2);
  await wa.say(wa.graph.templateTap(NUMBER, TEMPLATE_TAP));
  expect(wa.graph.textsTo(NUMBER)).toContain(plain("officer.member.claimed", { ...typeWords(t, "kemasan"), code }));
  expect(await Outbox.countDocuments({ channel: "whatsapp", status: "pending" })).toBe(0);
});

test("a program's announcement reaches a member on WhatsApp with its buttons; Daftar there takes the seat; 'program' lists it", async () => {
  await memberOnWhatsApp();
  const member = await Member.findOne({ telegramId: MEMBER }).lean();
  const now = h.clock.now().getTime();
  const p = await createProgram(
    {
      title: "Pelatihan foto produk",
      kind: "pelatihan",
      audience: { all: false, sentraIds: [], kecamatan: [member!.kecamatan as "Mengwi"], requestTypes: [] },
      sessions: [{ startsAt: new Date(now + 10 * 86_400_000) }],
      place: "Balai Banjar Mengwi",
      seats: 10,
      deadline: new Date(now + 7 * 86_400_000),
      requires: [],
      allowIncomplete: false,
    },
    9101,
    h.clock.now(),
  );
  const before = toMemberOnTelegram().length;
  expect(await announceProgram(p.id, h.clock.now())).toBe(1);
  await deliver();
  expect(toMemberOnTelegram().length).toBe(before);
  const announced = lastWa();
  expect(String((announced.payload.interactive as { body: { text: string } }).body.text)).toBe(htmlToWhatsApp(announcement(t, p, "id").text));
  expect(interactiveIds(announced)).toEqual([programButtonData("j", p.id), programButtonData("x", p.id)]);
  await wa.say(wa.graph.buttonReply(NUMBER, programButtonData("j", p.id)));
  expect(await ProgramSeat.findOne({ memberTelegramId: MEMBER }).lean()).toMatchObject({ status: "active", k: 1 });
  expect(String((lastWa().payload.interactive as { body: { text: string } }).body.text)).toBe(
    htmlToWhatsApp(joinReply(t, { kind: "registered", program: p, place: { kind: "seat", rank: 1 }, incomplete: false }, "id", h.clock.now()).text),
  );
  await wa.say(wa.graph.text(NUMBER, "program"));
  expect(wa.graph.textsTo(NUMBER).some((x) => x.startsWith(htmlToWhatsApp(t("program.list_mine"))))).toBe(true);
  expect(wa.graph.htmlLeaks).toEqual([]);
});
