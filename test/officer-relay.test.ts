/**
 * Relay in both directions with a member who has two open requests: every officer message (written
 * through the card's *Pesan ke anggota*) reaches the member tied to its request, and every answer
 * comes back to the card it belongs to, whichever way the member answers (replying, the Jawab button,
 * typing right after Jawab, mid-dialogue). Any other reply to a card is an internal note.
 */
import { tFor, typeWords } from "../src/i18n";
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import { useTestDatabase } from "./helpers/db";
import { Harness, TestUser } from "./helpers/harness";
import { GROUP, cardMessageId, groupTexts, lastBotMessage, messageMember, newMember, newRequest, officerWorld } from "./helpers/officers";
import { Request } from "../src/db/models/request";
import { answerPrompt, openPrompt, recordInternalNote } from "../src/domain/workflow";
import { forgetMemberChat } from "../src/domain/request-effects";
import { MessageRef } from "../src/db/models/message-ref";
import { Outbox } from "../src/db/models/outbox";
import type { RequestView } from "../src/domain/requests";
import { visibleLength } from "../src/lib/text";
import { escapeRegex, inOrder, mentionOf, templateRegex, textOf } from "./helpers/localeText";

useTestDatabase();

let h: Harness;
let made: TestUser;
let member: TestUser;
let a: RequestView;
let b: RequestView;

beforeEach(async () => {
  let sentraId: string;
  ({ h, made, sentraId } = await officerWorld());
  const m = await newMember(5101, { name: "Ni Luh Sari", sentraId });
  a = await newRequest(m, "kemasan");
  b = await newRequest(m, "pemasaran");
  await h.drain();
  member = h.user(5101);
});

const timeline = async (r: RequestView) => (await Request.findById(r.id).lean())!.timeline;

test("two open requests: officer messages and member answers never cross", async () => {
  const cardA = await cardMessageId(a.id);
  const cardB = await cardMessageId(b.id);
  await messageMember(h, made, cardA, "Produk keripik bayamnya berapa gram per bungkus?");
  await messageMember(h, made, cardB, { photo: "photo-contoh-label", caption: "Contoh label dari pendamping" });
  await h.drain();

  const toMember = h.telegram.calls.filter((c) => !c.failed && Number(c.payload.chat_id) === 5101);
  const textToA = toMember.find((c) => c.method === "sendMessage" && String(c.payload.text).includes("berapa gram"))!;
  const photoToB = toMember.find((c) => c.method === "sendPhoto")!;
  expect(String(textToA.payload.text)).toContain(a.code);
  expect(String(textToA.payload.text)).not.toContain(b.code);
  expect(JSON.stringify(textToA.payload.reply_markup)).toContain(`ans:${a.id}`);
  expect(photoToB.payload).toMatchObject({ photo: "photo-contoh-label" });
  expect(String(photoToB.payload.caption)).toMatch(
    inOrder(textOf("officer.member.officer_message", { ...typeWords(tFor("id"), b.type), code: b.code }), "Contoh label dari pendamping"),
  );
  // The officer sees that it was delivered (a reaction: no message in the group).
  expect(h.telegram.callsOf("setMessageReaction", GROUP)).toHaveLength(2);

  // The member answers B first (by replying), then A (a voice note replying to A's message).
  const msgB = (photoToB.result as { message_id: number }).message_id;
  const msgA = (textToA.result as { message_id: number }).message_id;
  await member.send("Boleh, labelnya warna hijau.", { replyTo: msgB });
  await member.voice("voice-jawab-a", 12, { replyTo: msgA });
  await h.drain();

  expect((await timeline(b)).at(-1)).toMatchObject({ kind: "answer", role: "member", note: "Boleh, labelnya warna hijau." });
  expect((await timeline(a)).at(-1)).toMatchObject({ kind: "answer", role: "member", attachments: [{ kind: "voice", fileId: "voice-jawab-a" }] });
  expect((await timeline(a)).some((e) => e.note === "Boleh, labelnya warna hijau.")).toBe(false);
  const textRelay = h.telegram.callsOf("sendMessage", GROUP).find((c) => String(c.payload.text).includes("warna hijau"))!;
  expect(textRelay.payload).toMatchObject({ reply_parameters: { message_id: cardB } });
  expect(String(textRelay.payload.text)).toContain(b.code);
  const voiceRelay = h.telegram.callsOf("sendVoice", GROUP).at(-1)!;
  expect(voiceRelay.payload).toMatchObject({ voice: "voice-jawab-a", reply_parameters: { message_id: cardA } });
  expect(String(voiceRelay.payload.caption)).toContain(a.code);
  expect(member.texts().filter((t) => templateRegex("officer.member.ack").test(t))).toHaveLength(2);

  // An officer replying to the relayed answer itself talks to the other officers: an internal note on B,
  // never sent to the member.
  const relayedId = (textRelay.result as { message_id: number }).message_id;
  const memberCalls = h.telegram.callsOf("sendMessage", 5101).length;
  await made.send("Pak Komang, yang ini tolong dicek besok ya.", { replyTo: relayedId });
  await h.drain();
  expect((await timeline(b)).at(-1)).toMatchObject({ kind: "note", role: "officer", note: "Pak Komang, yang ini tolong dicek besok ya." });
  expect(h.telegram.callsOf("sendMessage", 5101)).toHaveLength(memberCalls);
  expect(h.telegram.callsOf("setMessageReaction", GROUP).at(-1)!.payload).toMatchObject({ reaction: [{ type: "emoji", emoji: "✍" }] });
});

test("Jawab, then an answer typed without replying, goes to the request of that button", async () => {
  const cardA = await cardMessageId(a.id);
  const cardB = await cardMessageId(b.id);
  await messageMember(h, made, cardA, "Pertanyaan untuk A?");
  await messageMember(h, made, cardB, "Pertanyaan untuk B?");
  await h.drain();
  // The newest Jawab button belongs to B; press the one under A's message.
  const msgA = lastBotMessage(h, 5101, /Pertanyaan untuk A/);
  await member.press("Jawab", { messageId: msgA.message_id });
  expect(member.lastText()).toContain(textOf("officer.member.answer_prompt", { ...typeWords(tFor("id"), a.type), code: a.code }));
  await member.send("Jawaban tanpa membalas");
  await h.drain();
  expect((await timeline(a)).at(-1)).toMatchObject({ kind: "answer", note: "Jawaban tanpa membalas" });
  expect((await timeline(b)).at(-1)).toMatchObject({ kind: "reply" });
  // Spent: the next loose message is not an answer any more: the member is asked which request it is for.
  await member.send("halo");
  expect(member.lastText()).toBe(textOf("unhandled.which_request"));
  expect((await timeline(a)).filter((e) => e.kind === "answer")).toHaveLength(1);
});

test("a reply in the middle of another dialogue is still an answer, and the dialogue goes on", async () => {
  await messageMember(h, made, await cardMessageId(a.id), "Kapan bisa ditemui?");
  await h.drain();
  const question = lastBotMessage(h, 5101, /Kapan bisa ditemui/);
  await member.send("/profil");
  const dialogueQuestion = member.lastText();
  await member.send("Besok pagi di tempat usaha.", { replyTo: question.message_id });
  await h.drain();
  expect((await timeline(a)).at(-1)).toMatchObject({ kind: "answer", note: "Besok pagi di tempat usaha." });
  // The dialogue did not take it as its answer: its question is still the last thing it asked.
  expect(h.telegram.textsTo(5101).filter((t) => t === dialogueQuestion)).toHaveLength(1);
  await member.send("/batal");
  expect(member.lastText()).toBe(textOf("dialog.cancelled"));
});

test("closed requests: the member is told, officers' replies are not relayed, strangers are ignored", async () => {
  const cardA = await cardMessageId(a.id);
  await messageMember(h, made, cardA, "Ada pertanyaan?");
  await h.drain();
  const question = lastBotMessage(h, 5101, /Ada pertanyaan/);
  // Close A with a reason.
  await made.press("Tolak", { messageId: cardA });
  await h.drain();
  await made.send("Sudah ditangani dinas lain.", { replyTo: lastBotMessage(h, GROUP, templateRegex("officer.prompt.reject")).message_id });
  await h.drain();
  const before = (await timeline(a)).length;

  await member.send("Masih ada pertanyaan", { replyTo: question.message_id });
  expect(member.lastText()).toBe(textOf("officer.member.closed", { ...typeWords(tFor("id"), a.type), code: a.code, status: textOf("labels.status.ditolak") }));
  await member.press("Jawab", { messageId: question.message_id });
  expect(h.telegram.calls.filter((c) => c.method === "answerCallbackQuery").at(-1)!.payload).toMatchObject({
    show_alert: true,
    text: textOf("officer.member.closed_toast", { ...typeWords(tFor("id"), a.type), code: a.code }),
  });

  // Closed: no Pesan ke anggota on the card any more, and a forged press is refused.
  expect(made.findButton(textOf("officer.btn.message"), cardA)).toBeUndefined();
  await made.press(`oc:message:${a.id}`, { raw: true, messageId: cardA });
  expect(h.telegram.calls.filter((c) => c.method === "answerCallbackQuery").at(-1)!.payload).toMatchObject({ show_alert: true });

  // Someone in the group who is not an officer replies to B's card: nothing reaches the member.
  const stranger = h.inGroup(GROUP, 7777, { first_name: "Tamu" });
  const memberCalls = h.telegram.callsOf("sendMessage", 5101).length;
  await stranger.send("Halo bu, saya bisa bantu", { replyTo: await cardMessageId(b.id) });
  await h.drain();
  expect(h.telegram.callsOf("sendMessage", 5101)).toHaveLength(memberCalls);
  expect((await timeline(a)).length).toBe(before);
  expect((await timeline(b)).some((e) => e.by === 7777)).toBe(false);
});

test("wrong kinds of answers are explained; the same officer message twice is relayed once", async () => {
  const cardA = await cardMessageId(a.id);
  await messageMember(h, made, cardA, "Tolong kirim foto.");
  await h.drain();
  const question = lastBotMessage(h, 5101, /Tolong kirim foto/);
  await member.sticker({ replyTo: question.message_id });
  expect(member.lastText()).toBe(textOf("officer.member.wrong_kind"));
  await member.send("x".repeat(1001), { replyTo: question.message_id });
  expect(member.lastText()).toBe(textOf("dialog.too_long", { count: 1001, max: 1000 }));
  // A sticker as the message for the member: the officer is asked for text, a photo or a voice note.
  const groupBefore = groupTexts(h).length;
  await messageMember(h, made, cardA, { sticker: true });
  await h.drain();
  expect(groupTexts(h).slice(groupBefore).join("\n")).toContain(textOf("officer.notice.empty_message", { officer: mentionOf(9101, "Made") }));

  // The same Telegram message handled twice at once: one timeline entry, one message to the member.
  const actor = { telegramId: 9101, role: "officer" as const, name: "Made" };
  const source = { chatId: GROUP, messageId: 424242 };
  const now = h.clock.now();
  const opened = await openPrompt(a.id, actor, "message", now);
  if (!opened.ok) throw new Error("prompt not opened");
  await Promise.all([
    answerPrompt(opened.promptId, actor, { text: "sekali saja" }, source, { now: now, sla: SLA_DEFAULTS }),
    answerPrompt(opened.promptId, actor, { text: "sekali saja" }, source, { now: now, sla: SLA_DEFAULTS }),
  ]);
  const note = { chatId: GROUP, messageId: 424243 };
  await Promise.all([
    recordInternalNote(a.id, actor, { text: "catatan sekali" }, note, { now: now, sla: SLA_DEFAULTS }),
    recordInternalNote(a.id, actor, { text: "catatan sekali" }, note, { now: now, sla: SLA_DEFAULTS }),
  ]);
  await h.drain();
  expect((await timeline(a)).filter((e) => e.note === "sekali saja")).toHaveLength(1);
  expect((await timeline(a)).filter((e) => e.note === "catatan sekali")).toHaveLength(1);
  expect(member.texts().filter((t) => t.includes("sekali saja"))).toHaveLength(1);
  expect(member.texts().filter((t) => t.includes("catatan sekali"))).toHaveLength(0);

  // /hapusdata: the member's chat is forgotten by the relay (queued messages and message links).
  expect(await MessageRef.countDocuments({ chatId: 5101 })).toBeGreaterThan(0);
  await forgetMemberChat(5101);
  expect(await MessageRef.countDocuments({ chatId: 5101 })).toBe(0);
  expect(await Outbox.countDocuments({ chatId: 5101 })).toBe(0);
  expect(await MessageRef.countDocuments({ chatId: GROUP })).toBeGreaterThan(0);
});

test("Jawab under A, then an answer to B by replying: A's prompt is spent too, so a later loose message lands nowhere", async () => {
  const cardA = await cardMessageId(a.id);
  const cardB = await cardMessageId(b.id);
  await messageMember(h, made, cardA, "Pertanyaan untuk A?");
  await messageMember(h, made, cardB, "Pertanyaan untuk B?");
  await h.drain();
  await member.press("Jawab", { messageId: lastBotMessage(h, 5101, /Pertanyaan untuk A/).message_id });
  // The member changes their mind and answers B by replying to B's message.
  await member.send("Jawaban untuk B", { replyTo: lastBotMessage(h, 5101, /Pertanyaan untuk B/).message_id });
  await h.drain();
  expect((await timeline(b)).at(-1)).toMatchObject({ kind: "answer", note: "Jawaban untuk B" });
  await member.send("terima kasih");
  await h.drain();
  expect((await timeline(a)).some((e) => e.kind === "answer")).toBe(false);
  expect((await timeline(b)).filter((e) => e.kind === "answer")).toHaveLength(1);
  expect(member.lastText()).toBe(textOf("unhandled.which_request"));
});

test("a command sent as a reply to a card runs (it is not relayed to the member)", async () => {
  const before = h.telegram.textsTo(5101).length;
  const calls = await made.send("/antrian", { replyTo: await cardMessageId(a.id) });
  await h.drain();
  const answer = calls.filter((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === GROUP).map((c) => String(c.payload.text));
  expect(answer.join("\n")).toContain(a.code);
  expect(h.telegram.textsTo(5101)).toHaveLength(before);
  expect((await timeline(a)).some((e) => e.kind === "reply" || e.kind === "note")).toBe(false);
});

test("a command sent as a reply to a prompt runs and leaves the prompt open; /batal as the reply cancels it", async () => {
  const cardId = await cardMessageId(a.id);
  await made.press("Telaah", { messageId: cardId });
  await h.drain();
  await made.press("Minta info", { messageId: cardId });
  await h.drain();
  const prompt = lastBotMessage(h, GROUP, templateRegex("officer.prompt.info"));
  const calls = await made.send("/antrian", { replyTo: prompt.message_id });
  await h.drain();
  // /antrian answered, not taken for an empty question.
  expect(calls.some((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === GROUP)).toBe(true);
  expect(h.telegram.textsTo(GROUP).some((t) => templateRegex("officer.notice.empty_info").test(t) || templateRegex("officer.notice.empty_done").test(t))).toBe(false);
  // The prompt still takes the question.
  await made.send("Ukurannya berapa?", { replyTo: prompt.message_id });
  await h.drain();
  expect((await Request.findById(a.id).lean())!.status).toBe("perlu_info");

  // A second prompt, cancelled by replying /batal: a later reply is no reason any more.
  await made.press("Tolak", { messageId: cardId });
  await h.drain();
  const reasonPrompt = lastBotMessage(h, GROUP, templateRegex("officer.prompt.reject"));
  await made.send("/batal", { replyTo: reasonPrompt.message_id });
  await h.drain();
  await made.send("alasan yang terlambat", { replyTo: reasonPrompt.message_id });
  await h.drain();
  expect((await Request.findById(a.id).lean())!.status).toBe("perlu_info");
});

test("long answers full of & and < are cut before escaping: within Telegram's limits as it counts them, never inside an entity", async () => {
  const entitiesWhole = (html: string) => !/&(?!amp;|lt;|gt;)/.test(html);
  await messageMember(h, made, await cardMessageId(a.id), "Pertanyaan untuk A?");
  await h.drain();
  const question = lastBotMessage(h, 5101, /Pertanyaan untuk A/).message_id;
  const words = "&<".repeat(500); // 1000 characters, the most an answer may have; 4500 once escaped
  await member.photo("photo-long", { caption: words, replyTo: question });
  await member.send("&".repeat(1000), { replyTo: question });
  await h.drain();
  // Telegram counts the caption after parsing: 1024 shown characters, however long the escaped HTML.
  const caption = String(h.telegram.callsOf("sendPhoto", GROUP).at(-1)!.payload.caption);
  expect(visibleLength(caption)).toBeLessThanOrEqual(1024);
  expect(visibleLength(caption)).toBeGreaterThan(1000);
  expect(caption).toMatch(/^💬 .*\n\n(&amp;&lt;)+(&amp;)?…$/s);
  expect(entitiesWhole(caption)).toBe(true);
  // 1000 "&" fit a text message as shown (5000 characters of HTML): nothing is cut.
  const text = String(h.telegram.callsOf("sendMessage", GROUP).at(-1)!.payload.text);
  expect(visibleLength(text)).toBeLessThanOrEqual(4096);
  expect(text).toMatch(/\n\n(&amp;){1000}$/);
  expect(entitiesWhole(text)).toBe(true);
  // The same the other way: an officer's 1000 "&" reach the member whole, with the hint still at the end.
  await messageMember(h, made, await cardMessageId(a.id), "&".repeat(1000));
  await h.drain();
  const toMember = h.telegram.textsTo(5101).at(-1)!;
  expect(visibleLength(toMember)).toBeLessThanOrEqual(4096);
  expect(toMember).toMatch(new RegExp(`\\n\\n(&amp;){1000}\\n\\n${escapeRegex(textOf("officer.member.reply_hint"))}$`));
  expect(entitiesWhole(toMember)).toBe(true);
});
