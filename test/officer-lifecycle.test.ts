/**
 * The officers' group end to end: an admin links it and registers officers, a new request arrives
 * as a card, officers move it through the statuses with the card buttons (notes and reasons asked
 * by prompts they answer by replying), the card is edited in place, the member hears of every step
 * in their language, and the claiming officer gets the member's phone privately (never the group).
 */
import { useTestDatabase } from "./helpers/db";
import { Harness, TestUser } from "./helpers/harness";
import { ADMIN, GROUP, PHONE, addOfficer, cardMessageId, cardText, groupTexts, lastBotMessage, newMember, newRequest, officerHarness, officerWorld } from "./helpers/officers";
import { clearDatabase } from "./helpers/db";
import { getOfficerGroupId } from "../src/domain/settings";
import { Request } from "../src/db/models/request";
import { Officer } from "../src/db/models/officer";
import { Outbox } from "../src/db/models/outbox";
import { AuditLog } from "../src/db/models/audit-log";
import { Member } from "../src/db/models/member";
import type { MemberView } from "../src/domain/members";
import { fillSteps, codeIn } from "./helpers/requests";
import { tFor, typeWords } from "../src/i18n";
import { escapeRegex, inOrder, mentionOf, templateRegex, textOf } from "./helpers/localeText";

useTestDatabase();

let h: Harness;
let admin: TestUser;
let made: TestUser;
let sentraId: string;

beforeEach(async () => {
  ({ h, admin, made, sentraId } = await officerWorld());
});

async function memberAndRequest(opts: { locale?: "id" | "en"; verified?: boolean } = {}): Promise<{ member: MemberView; requestId: string; code: string }> {
  const member = await newMember(5101, { name: "Ni Luh Sari", sentraId, locale: opts.locale });
  if (opts.verified) await Member.updateOne({ telegramId: 5101 }, { $set: { sentraVerifiedAt: new Date() } });
  const r = await newRequest(member, "kemasan", {
    attachments: [
      { kind: "photo", field: "packaging", fileId: "photo-A", fileUniqueId: "pa" },
      { kind: "photo", field: "packaging", fileId: "photo-B", fileUniqueId: "pb" },
    ],
  });
  await h.drain();
  return { member, requestId: r.id, code: r.code };
}

test("/sambungkan links the group for an admin only; /petugas adds, lists and removes officers", async () => {
  const stranger = h.inGroup(GROUP, 9999, { first_name: "Orang" });
  const other = -100999;
  // A non-admin in another group cannot take the alerts there.
  await h.inGroup(other, 9999).send("/sambungkan");
  expect(h.telegram.lastMessageTo(other)!.payload.text).toContain(textOf("officer.admin.only_admin"));
  expect(h.telegram.textsTo(GROUP).join("\n")).toContain(textOf("officer.admin.link_done"));

  await stranger.send("/petugas tambah 9999 kemasan");
  await h.drain();
  expect(await Officer.countDocuments({ telegramId: 9999 })).toBe(0);
  expect(h.telegram.lastMessageTo(GROUP)!.payload.text).toContain(textOf("officer.admin.only_admin"));

  // Added by replying to the person's message in the group.
  const komang = h.inGroup(GROUP, 9102, { first_name: "Komang", username: "komang_dk" });
  await admin.send("/petugas tambah Kuta, Mengwi", { replyTo: komang.ownMessage("halo semua") });
  // Nothing changes before the admin confirms; nobody else can confirm for them.
  expect(admin.lastText()).toContain(textOf("officer.admin.confirm_add", { officer: mentionOf(9102, "Komang"), handles: "Kuta, Mengwi" }));
  expect(await Officer.countDocuments({ telegramId: 9102 })).toBe(0);
  const refused = await stranger.press("Ya, simpan");
  expect(refused.find((c) => c.method === "answerCallbackQuery")!.payload).toMatchObject({ show_alert: true });
  expect(await Officer.countDocuments({ telegramId: 9102 })).toBe(0);
  await admin.press("Ya, simpan");
  await h.drain();
  const komangDoc = await Officer.findOne({ telegramId: 9102 }).lean();
  expect(komangDoc).toMatchObject({ name: "Komang", username: "komang_dk", types: [], kecamatan: ["Kuta", "Mengwi"], active: true });
  // By id: a placeholder name until the officer first uses the bot.
  await admin.send("/petugas tambah 9104 pelatihan");
  await admin.press("Batal");
  expect(admin.lastText()).toContain(textOf("admin.nothing_changed"));
  expect(await Officer.countDocuments({ telegramId: 9104 })).toBe(0);
  await admin.send("/petugas tambah 9104 pelatihan");
  const confirm = admin.findButton("Ya, simpan")!;
  await admin.press("Ya, simpan");
  // A second press of the same button does nothing more.
  const again = await admin.press(confirm.data, { raw: true, messageId: confirm.messageId });
  expect(again.find((c) => c.method === "answerCallbackQuery")!.payload.text).toBe(textOf("officer.admin.confirm_gone"));
  await h.drain();
  expect(await Officer.findOne({ telegramId: 9104 }).lean()).toMatchObject({ name: "Petugas 9104", types: ["pelatihan"] });

  await admin.send("/petugas tambah 9103 kemasan, Denpasar");
  await h.drain();
  expect(h.telegram.lastMessageTo(GROUP)!.payload.text).toMatch(templateRegex("officer.admin.unknown_words", { vars: { words: "Denpasar" } }));
  expect(await Officer.countDocuments({ telegramId: 9103 })).toBe(0);

  await admin.send("/petugas");
  await h.drain();
  const list = String(h.telegram.lastMessageTo(GROUP)!.payload.text);
  expect(list).toContain(textOf("officer.admin.officers_title", { count: 3 }));
  const handles = `${textOf("labels.type.kemasan")}, ${textOf("labels.type.pemasaran")}`;
  expect(list).toContain(textOf("officer.admin.officer_line", { officer: mentionOf(9101, "Made"), id: 9101, handles }));
  expect(list).toContain(textOf("officer.admin.officer_line", { officer: mentionOf(9102, "Komang"), id: 9102, handles: "Kuta, Mengwi" }));

  await admin.send("/petugas hapus 9102");
  expect(await Officer.countDocuments({ telegramId: 9102, active: true })).toBe(1);
  await admin.press("Ya, simpan");
  await h.drain();
  expect(await Officer.countDocuments({ telegramId: 9102, active: true })).toBe(0);
  // Komang's own command menu is gone (in every language it was set in); nobody else's is touched.
  const deleted = h.telegram.callsOf("deleteMyCommands").map((c) => c.payload);
  expect(deleted).toEqual([
    { scope: { type: "chat", chat_id: 9102 } },
    { scope: { type: "chat", chat_id: 9102 }, language_code: "id" },
    { scope: { type: "chat", chat_id: 9102 }, language_code: "en" },
  ]);
  const afterRemoval = h.telegram.calls.slice(h.telegram.calls.findIndex((c) => c.method === "deleteMyCommands"));
  const menusSet = afterRemoval.filter((c) => c.method === "setMyCommands").map((c) => (c.payload.scope as { chat_id?: number }).chat_id);
  expect(menusSet).toContain(9101);
  expect(menusSet).not.toContain(9102);

  // An admin who was also registered as an officer keeps the admin's menu when removed.
  await admin.send(`/petugas tambah ${ADMIN} kemasan`);
  await admin.press("Ya, simpan");
  const beforeAdminRemoval = h.telegram.calls.length;
  await admin.send(`/petugas hapus ${ADMIN}`);
  await admin.press("Ya, simpan");
  const adminCalls = h.telegram.calls.slice(beforeAdminRemoval);
  expect(adminCalls.filter((c) => c.method === "deleteMyCommands")).toEqual([]);
  expect(adminCalls.filter((c) => c.method === "setMyCommands").map((c) => (c.payload.scope as { chat_id?: number }).chat_id)).toContain(ADMIN);
  expect((await AuditLog.find().lean()).map((a) => a.action)).toEqual(expect.arrayContaining(["officer_group.link", "officer.add", "officer.remove"]));
});

test("a request goes from diterima to selesai from the group; the card is edited in place and the member hears of every step", async () => {
  // (Edits before this one are the admin's confirmations while setting up the officers.)
  const editsBefore = h.telegram.callsOf("editMessageText", GROUP).length;
  const { requestId, code } = await memberAndRequest({ verified: true });
  const cardId = await cardMessageId(requestId);
  const card = await cardText(h, requestId);
  expect(card).toContain(code);
  expect(card).toContain(textOf("labels.type.kemasan"));
  expect(card).toMatch(templateRegex("officer.card.member", { vars: { name: "Ni Luh Sari", business: /UD Usaha \d+/ } }));
  expect(card).toContain(textOf("officer.card.place", { sentra: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }) + textOf("officer.card.verified"));
  expect(card).toContain(textOf("officer.card.routed", { officer: mentionOf(9101, "Made") }));
  expect(card).toContain(textOf("officer.card.assignee_none"));
  const wants = `${textOf("request.opt.desain_label")}, ${textOf("request.opt.isi_label")}`;
  expect(card).toContain(textOf("officer.card.answer_line", { label: textOf("request.kemasan.wants_label"), value: wants }));
  expect(card).toContain(textOf("request.photo_count", { count: 2 }));
  expect(card).toMatch(templateRegex("officer.card.created", { vars: { at: /\d+ \w+ \d{4} \d\d\.\d\d WITA/ } }));
  // The first photo with the count, as a reply to the card.
  const photo = h.telegram.callsOf("sendPhoto", GROUP)[0];
  expect(photo.payload).toMatchObject({ photo: "photo-A", reply_parameters: { message_id: cardId } });
  expect(String(photo.payload.caption)).toContain(textOf("officer.media.photo_of", { code, count: 2 }));

  await made.press("Ambil", { messageId: cardId });
  await h.drain();
  // Privately: the phone and all photos, for the officer only.
  expect(h.telegram.textsTo(9101).join("\n")).toContain(PHONE);
  expect(h.telegram.callsOf("sendMediaGroup", 9101)[0].payload.media).toHaveLength(2);
  expect(await cardText(h, requestId)).toContain(textOf("officer.card.assignee", { officer: mentionOf(9101, "Made") }));

  await made.press("Telaah", { messageId: cardId });
  await h.drain();
  const words = typeWords(tFor("id"), "kemasan");
  expect(await cardText(h, requestId)).toContain(textOf("officer.card.status", { status: textOf("labels.status.ditelaah") }));
  expect(h.telegram.textsTo(5101).at(-1)).toBe(textOf("officer.member.status.ditelaah", { ...words, code }));

  await made.press("Tindak lanjut", { messageId: cardId });
  await h.drain();
  expect(await cardText(h, requestId)).toContain(textOf("officer.card.status", { status: textOf("labels.status.ditindaklanjuti") }));
  expect(h.telegram.textsTo(5101).at(-1)).toBe(textOf("officer.member.status.ditindaklanjuti", { ...words, code }));

  await made.press("Selesai", { messageId: cardId });
  await h.drain();
  const prompt = lastBotMessage(h, GROUP, templateRegex("officer.prompt.done"));
  expect(h.telegram.callsOf("sendMessage", GROUP).at(-1)!.payload.reply_markup).toMatchObject({ force_reply: true, selective: true });
  await made.send("Desain label baru sudah dibuat bersama pendamping, cetak 200 lembar.", { replyTo: prompt.message_id });
  await h.drain();

  const doc = await Request.findById(requestId).lean();
  expect(doc).toMatchObject({ status: "selesai", assigneeTelegramId: 9101 });
  expect(doc!.closedAt).toBeInstanceOf(Date);
  expect(doc!.timeline.map((e) => `${e.kind}:${e.to ?? ""}`)).toEqual(["created:diterima", "claim:", "status:ditelaah", "status:ditindaklanjuti", "status:selesai"]);
  expect(doc!.timeline.at(-1)).toMatchObject({ by: 9101, role: "officer", note: "Desain label baru sudah dibuat bersama pendamping, cetak 200 lembar." });

  const finalCard = await cardText(h, requestId);
  expect(finalCard).toContain(textOf("officer.card.status", { status: textOf("labels.status.selesai") }));
  expect(finalCard).toContain(
    textOf("officer.card.last_note", { label: textOf("officer.card.note_done"), note: "Desain label baru sudah dibuat bersama pendamping, cetak 200 lembar." }),
  );
  expect(finalCard).toMatch(templateRegex("officer.card.updated", { vars: { at: /.* WITA/ } }));
  // Closed: no buttons left; the card was edited, never re-sent.
  expect(h.telegram.messages.get(`${GROUP}:${cardId}`)!.reply_markup).toEqual({ inline_keyboard: [] });
  expect(
    h.telegram
      .callsOf("editMessageText", GROUP)
      .slice(editsBefore)
      .every((c) => c.payload.message_id === cardId),
  ).toBe(true);

  const memberTexts = h.telegram.textsTo(5101);
  // The notice, then the question whether the problem is solved (test/closure.test.ts).
  expect(memberTexts.slice(-2)).toEqual([
    textOf("officer.member.status.selesai", { ...words, code, note: "Desain label baru sudah dibuat bersama pendamping, cetak 200 lembar." }),
    textOf("closure.ask", { ...words, code }),
  ]);
  // No phone number anywhere in the group.
  expect(groupTexts(h).join("\n")).not.toContain("81234567890");
  expect(await Outbox.countDocuments({ status: { $ne: "sent" } })).toBe(0);
});

test("Tolak asks for the reason, refuses an empty one, and tells the member in English when that is their language", async () => {
  const { requestId, code } = await memberAndRequest({ locale: "en" });
  const cardId = await cardMessageId(requestId);
  await made.press("Tolak", { messageId: cardId });
  await h.drain();
  const prompt = lastBotMessage(h, GROUP, templateRegex("officer.prompt.reject"));
  // A sticker and a blank reason are not reasons; the prompt stays open.
  await made.sticker({ replyTo: prompt.message_id });
  await made.send("   ", { replyTo: prompt.message_id });
  await h.drain();
  expect(groupTexts(h).filter((t) => t === textOf("officer.notice.empty_reject", { officer: mentionOf(9101, "Made") }))).toHaveLength(2);
  expect((await Request.findById(requestId).lean())!.status).toBe("diterima");

  await made.send("Di luar kewenangan Diskop; silakan ke Dinas Perindustrian.", { replyTo: prompt.message_id });
  await h.drain();
  const doc = await Request.findById(requestId).lean();
  expect(doc).toMatchObject({ status: "ditolak", assigneeTelegramId: 9101 });
  expect(doc!.timeline.at(-1)).toMatchObject({ kind: "status", from: "diterima", to: "ditolak", note: "Di luar kewenangan Diskop; silakan ke Dinas Perindustrian." });
  const reason = "Di luar kewenangan Diskop; silakan ke Dinas Perindustrian.";
  expect(h.telegram.textsTo(5101).at(-1)).toBe(textOf("officer.member.status.ditolak", { ...typeWords(tFor("en"), "kemasan"), code, note: reason }, "en"));
  expect(await cardText(h, requestId)).toMatch(
    inOrder(
      textOf("officer.card.status", { status: textOf("labels.status.ditolak") }),
      textOf("officer.card.last_note", { label: textOf("officer.card.note_reason"), note: reason }),
    ),
  );

  // The old prompt is spent; the buttons of a closed request only explain.
  await made.send("alasan lain", { replyTo: prompt.message_id });
  await h.drain();
  expect(groupTexts(h).at(-1)).toMatch(templateRegex("officer.notice.prompt_expired"));
  const calls = await made.press(/.*/, { messageId: cardId }).catch(() => undefined);
  expect(calls).toBeUndefined(); // no buttons left to press
  const forged = await made.press(`oc:claim:${requestId}`, { raw: true, messageId: cardId });
  expect(forged.find((c) => c.method === "answerCallbackQuery")!.payload.text).toBe(textOf("officer.cb.closed", { code, status: textOf("labels.status.ditolak") }));
});

test("the member hears when an officer takes the request; the Jawab button comes only with a question", async () => {
  const t = tFor("id");
  const { requestId, code } = await memberAndRequest();
  const cardId = await cardMessageId(requestId);
  const words = typeWords(t, "kemasan");
  await made.press("Ambil", { messageId: cardId });
  await h.drain();
  const taken = lastBotMessage(h, 5101, /./);
  expect(taken.text).toBe(t("officer.member.claimed", { ...words, code }));
  expect(taken.reply_markup).toBeUndefined();
  await made.press("Telaah", { messageId: cardId });
  await h.drain();
  const reviewing = lastBotMessage(h, 5101, /./);
  expect(reviewing.text).toBe(t("officer.member.status.ditelaah", { ...words, code, note: "" }));
  expect(reviewing.reply_markup).toBeUndefined();
  await made.press("Minta info", { messageId: cardId });
  await h.drain();
  await made.send("Berapa gram per bungkus?", { replyTo: lastBotMessage(h, GROUP, /tulis pertanyaan/).message_id });
  await h.drain();
  const question = lastBotMessage(h, 5101, /./);
  expect(String(question.text)).toContain("Berapa gram per bungkus?");
  expect(JSON.stringify(question.reply_markup)).toContain(t("officer.member.btn_answer"));
  // Exactly these three messages, none twice.
  expect(h.telegram.callsOf("sendMessage", 5101).filter((c) => !c.failed)).toHaveLength(3);
});

test("once taken, every step is one tap away: ask straight from Diterima (the answer brings it to Ditelaah), then finish", async () => {
  const t = tFor("id");
  const { requestId, code } = await memberAndRequest();
  const cardId = await cardMessageId(requestId);
  const labels = () =>
    ((h.telegram.messages.get(`${GROUP}:${cardId}`)?.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined)?.inline_keyboard ?? []).flat().map((b) => b.text);
  expect(labels()).toEqual(["claim", "review", "reject", "message"].map((a) => t(`officer.btn.${a}`)));
  await made.press("Ambil", { messageId: cardId });
  await h.drain();
  expect(labels()).toEqual(["review", "info", "follow", "done", "reject", "message"].map((a) => t(`officer.btn.${a}`)));

  await made.press(t("officer.btn.info"), { messageId: cardId });
  await h.drain();
  await made.send("Berapa bungkus per bulan?", { replyTo: lastBotMessage(h, GROUP, /tulis pertanyaan/).message_id });
  await h.drain();
  expect(await Request.findById(requestId).lean()).toMatchObject({ status: "perlu_info", infoReturnTo: "ditelaah" });
  const member = h.user(5101);
  await member.send("Sekitar 200 bungkus", { replyTo: lastBotMessage(h, 5101, /Berapa bungkus/).message_id });
  await h.drain();
  expect(await Request.findById(requestId).lean()).toMatchObject({ status: "ditelaah", infoReturnTo: null });

  await made.press(t("officer.btn.done"), { messageId: cardId });
  await h.drain();
  await made.send("Desain label sudah dikirim lewat WhatsApp.", { replyTo: lastBotMessage(h, GROUP, /apa yang sudah dilakukan/).message_id });
  await h.drain();
  const done = await Request.findById(requestId).lean();
  expect(done).toMatchObject({ status: "selesai" });
  expect(done!.timeline.filter((e) => e.kind === "status").map((e) => e.to)).toEqual(["perlu_info", "ditelaah", "selesai"]);
  expect(h.telegram.textsTo(5101).slice(-2)).toEqual([
    t("officer.member.status.selesai", { ...typeWords(t, "kemasan"), code, note: "Desain label sudah dikirim lewat WhatsApp." }),
    t("closure.ask", { ...typeWords(t, "kemasan"), code }),
  ]);
});

test("Minta info: the question reaches the member, the answer comes back to the card and the status returns", async () => {
  const { requestId, code } = await memberAndRequest();
  const cardId = await cardMessageId(requestId);
  await made.press("Telaah", { messageId: cardId });
  await h.drain();
  await made.press("Minta info", { messageId: cardId });
  await h.drain();
  const prompt = lastBotMessage(h, GROUP, templateRegex("officer.prompt.info"));
  await made.send("Berapa ukuran kemasan yang diinginkan?", { replyTo: prompt.message_id });
  await h.drain();
  expect(await Request.findById(requestId).lean()).toMatchObject({ status: "perlu_info", infoReturnTo: "ditelaah" });
  expect(await cardText(h, requestId)).toMatch(
    inOrder(
      textOf("officer.card.status", { status: textOf("labels.status.perlu_info") }),
      textOf("officer.card.last_note", { label: textOf("officer.card.note_question"), note: "Berapa ukuran kemasan yang diinginkan?" }),
    ),
  );

  const member = h.user(5101);
  const question = lastBotMessage(h, 5101, /Berapa ukuran kemasan/);
  expect(String(question.text)).toContain(code);
  // While waiting, the officer cannot jump elsewhere than back or to ditolak.
  const refused = await made.press(`oc:follow:${requestId}`, { raw: true, messageId: cardId });
  expect(refused.find((c) => c.method === "answerCallbackQuery")!.payload).toMatchObject({ show_alert: true });

  await member.send("Ukuran 10 x 15 cm, untuk 250 gram.", { replyTo: question.message_id });
  await h.drain();
  const doc = await Request.findById(requestId).lean();
  expect(doc).toMatchObject({ status: "ditelaah", infoReturnTo: null });
  expect(doc!.timeline.slice(-2).map((e) => `${e.kind}:${e.role}:${e.to ?? ""}`)).toEqual(["answer:member:", "status:member:ditelaah"]);
  const relay = h.telegram.callsOf("sendMessage", GROUP).at(-1)!;
  expect(relay.payload).toMatchObject({ reply_parameters: { message_id: cardId } });
  expect(String(relay.payload.text)).toMatch(inOrder(textOf("officer.relay.answer", { code }), "Ukuran 10 x 15 cm"));
  expect(member.lastText()).toBe(textOf("officer.member.ack_status", { code, status: textOf("labels.status.ditelaah") }));
  expect(await cardText(h, requestId)).toMatch(
    inOrder(
      textOf("officer.card.status", { status: textOf("labels.status.ditelaah") }),
      textOf("officer.card.last_note", { label: textOf("officer.card.note_answer"), note: "Ukuran 10 x 15 cm, untuk 250 gram." }),
    ),
  );

  // A second question; this time the member uses the Jawab button and sends a photo.
  await made.press("Minta info", { messageId: cardId });
  await h.drain();
  await made.send("Boleh kirim foto kemasan lamanya?", { replyTo: lastBotMessage(h, GROUP, templateRegex("officer.prompt.info")).message_id });
  await h.drain();
  await member.press("Jawab");
  const answerPrompt = lastBotMessage(h, 5101, templateRegex("officer.member.answer_prompt"));
  await member.photo("photo-old-pack", { caption: "Ini kemasan lama", replyTo: answerPrompt.message_id });
  await h.drain();
  const photoRelay = h.telegram.callsOf("sendPhoto", GROUP).at(-1)!;
  expect(photoRelay.payload).toMatchObject({ photo: "photo-old-pack", reply_parameters: { message_id: cardId } });
  expect(String(photoRelay.payload.caption)).toMatch(inOrder(textOf("officer.relay.answer", { code }), "Ini kemasan lama"));
  expect((await Request.findById(requestId).lean())!.timeline.at(-2)).toMatchObject({ kind: "answer", attachments: [{ kind: "photo", fileId: "photo-old-pack" }] });
});

test("prompts expire, /batal cancels one, and a prompt belongs to the officer who pressed", async () => {
  const komang = await addOfficer(h, admin, 9102, "Komang", "modal");
  const { requestId } = await memberAndRequest();
  const cardId = await cardMessageId(requestId);
  // Not offered yet, and refused when pressed anyway: finishing needs the request taken first.
  expect(made.findButton("Selesai", cardId)).toBeUndefined();
  await made.press(`oc:done:${requestId}`, { raw: true, messageId: cardId });
  expect(h.telegram.calls.filter((c) => c.method === "answerCallbackQuery").at(-1)!.payload.text).toBe(
    textOf("officer.cb.not_allowed", { from: textOf("labels.status.diterima"), to: textOf("labels.status.selesai") }),
  );

  await made.press("Tolak", { messageId: cardId });
  await h.drain();
  const prompt = lastBotMessage(h, GROUP, templateRegex("officer.prompt.reject"));
  await komang.send("bukan urusan saya", { replyTo: prompt.message_id });
  await h.drain();
  expect((await Request.findById(requestId).lean())!.status).toBe("diterima");

  await made.send("/batal", { replyTo: prompt.message_id });
  await h.drain();
  expect(groupTexts(h).at(-1)).toMatch(templateRegex("officer.notice.prompt_cancelled"));

  await made.press("Tolak", { messageId: cardId });
  await h.drain();
  const second = lastBotMessage(h, GROUP, templateRegex("officer.prompt.reject"));
  h.clock.advance(31 * 60_000);
  await made.send("terlambat", { replyTo: second.message_id });
  await h.drain();
  expect(groupTexts(h).at(-1)).toMatch(templateRegex("officer.notice.prompt_expired"));
  expect((await Request.findById(requestId).lean())!.status).toBe("diterima");
  void ADMIN;
});

test("a request sent through the member's dialogue reaches the group as a card at once", async () => {
  const u = h.user(5150);
  await newMember(5150, { name: "Putu Ayu", sentraId });
  const t = tFor("id");
  await u.send("/lapor");
  await fillSteps(u, "produksi");
  await u.press(t("request.send"));
  const code = codeIn(u.lastText());
  await h.drain();
  const saved = await Request.findOne({ code }).lean();
  expect(saved).toMatchObject({ effectsPending: false, routedToTelegramId: null });
  const card = await cardText(h, String(saved!._id));
  expect(card).toContain(code);
  expect(card).toMatch(inOrder(textOf("labels.type.produksi"), "Putu Ayu", textOf("officer.card.routed_none")));
  expect(card).not.toContain("81234567890");
});

test("a prompt answer refused because another officer took the request meanwhile says so", async () => {
  // A name with HTML's special characters: the group notice is HTML.
  const ketut = await addOfficer(h, admin, 9102, "Ketut <B&B>", "kemasan");
  const { requestId, code } = await memberAndRequest();
  const cardId = await cardMessageId(requestId);
  await made.press("Tolak", { messageId: cardId });
  await h.drain();
  const prompt = lastBotMessage(h, GROUP, templateRegex("officer.prompt.reject"));
  // While Made writes the reason, Ketut takes the request.
  await ketut.press("Ambil", { messageId: cardId });
  await made.send("Di luar kewenangan.", { replyTo: prompt.message_id });
  await h.drain();
  expect(await Request.findById(requestId).lean()).toMatchObject({ status: "diterima", assigneeTelegramId: 9102 });
  const notice = h.telegram.callsOf("sendMessage", GROUP).at(-1)!;
  expect(notice.payload.parse_mode).toBe("HTML");
  expect(String(notice.payload.text)).toBe(`${code} sudah diambil oleh Ketut &lt;B&amp;B&gt;.`);
  expect(String(notice.payload.text)).not.toMatch(templateRegex("membership.chair_request_already"));
  // The prompt is spent: answering it again does not try once more.
  await made.send("Di luar kewenangan.", { replyTo: prompt.message_id });
  await h.drain();
  expect(groupTexts(h).at(-1)).toMatch(templateRegex("officer.notice.prompt_expired"));
});

test("photo captions: each on its own line of the card, under the group's photo and in the officer's album", async () => {
  const member = await newMember(5101, { name: "Ni Luh Sari", sentraId });
  const long = `Label lama & <robek> ${"x".repeat(300)}`;
  const r = await newRequest(member, "kemasan", {
    attachments: [
      { kind: "photo", field: "packaging", fileId: "photo-A", fileUniqueId: "pa", caption: "Tampak depan" },
      { kind: "photo", field: "packaging", fileId: "photo-B", fileUniqueId: "pb" },
      { kind: "photo", field: "packaging", fileId: "photo-C", fileUniqueId: "pc", caption: long },
    ],
  });
  await h.drain();
  const card = await cardText(h, r.id);
  const photoLines = [
    textOf("officer.card.answer_line", { label: textOf("request.kemasan.packaging_label"), value: textOf("request.photo_count", { count: 3 }) }),
    textOf("officer.card.photo_caption", { n: 1, caption: "Tampak depan" }),
    escapeRegex(textOf("officer.card.photo_caption", { n: 3, caption: "Label lama & <robek> " })) + "x+…",
  ];
  expect(card).toMatch(new RegExp(`${escapeRegex(photoLines[0]!)}\\n${escapeRegex(photoLines[1]!)}\\n${photoLines[2]}\\n`));
  const photo = h.telegram.callsOf("sendPhoto", GROUP)[0];
  expect(String(photo.payload.caption)).toMatch(inOrder(textOf("officer.media.photo_of", { code: r.code, count: 3 }), /\n\nTampak depan$/));

  await made.press("Ambil", { messageId: await cardMessageId(r.id) });
  await h.drain();
  const album = h.telegram.callsOf("sendMediaGroup", 9101)[0].payload.media as { caption?: string }[];
  expect(album[0].caption).toMatch(new RegExp(`${r.code}[\\s\\S]*\\n\\nTampak depan$`));
  expect(album[1].caption).toBeUndefined();
  expect(album[2].caption).toBe(`Label lama &amp; &lt;robek&gt; ${"x".repeat(300)}`);
});

test("a photo caption over the limit is refused by the model, also when the request domain module is loaded first", async () => {
  let domain!: typeof import("../src/domain/requests");
  let Model!: typeof Request;
  jest.isolateModules(() => {
    // domain/requests first: the model it imports must not read the limit from a module still loading.
    domain = require("../src/domain/requests");
    Model = require("../src/db/models/request").Request;
  });
  expect(domain.ATTACHMENT_CAPTION_MAX).toBe(1000);
  // The caption path's own validation (a whole document of an isolated mongoose cannot validate its subdocuments).
  const caption = (Model.schema.path("attachments") as unknown as { schema: typeof Model.schema }).schema.path("caption") as unknown as {
    doValidate(value: string, scope: object): Promise<void>;
  };
  await expect(caption.doValidate("x".repeat(1001), {})).rejects.toMatchObject({ kind: "maxlength" });
  await expect(caption.doValidate("x".repeat(1000), {})).resolves.toBeUndefined();
});

test("to selesai with two officers: the one who took it moves it; the other is refused with the reason, and his reply stays a note", async () => {
  const ketut = await addOfficer(h, admin, 9102, "Ketut", "kemasan");
  const { requestId, code } = await memberAndRequest();
  const cardId = await cardMessageId(requestId);
  const toast = (calls: { method: string; payload: Record<string, unknown> }[]) => String(calls.find((c) => c.method === "answerCallbackQuery")!.payload.text);

  await made.press("Ambil", { messageId: cardId });
  await h.drain();
  expect(toast(await ketut.press(`oc:claim:${requestId}`, { raw: true, messageId: cardId }))).toBe(textOf("officer.cb.claimed_by_other", { code, officer: "Made" }));
  expect(toast(await ketut.press("Telaah", { messageId: cardId }))).toBe(textOf("officer.cb.claimed_by_other", { code, officer: "Made" }));
  expect((await Request.findById(requestId).lean())!.status).toBe("diterima");

  await made.press("Telaah", { messageId: cardId });
  await h.drain();
  await made.press("Tindak lanjut", { messageId: cardId });
  await h.drain();
  // Ketut cannot close it: no prompt is asked of him.
  const promptsBefore = groupTexts(h).filter((t) => templateRegex("officer.prompt.done").test(t)).length;
  expect(toast(await ketut.press("Selesai", { messageId: cardId }))).toBe(textOf("officer.cb.claimed_by_other", { code, officer: "Made" }));
  await h.drain();
  expect(groupTexts(h).filter((t) => templateRegex("officer.prompt.done").test(t))).toHaveLength(promptsBefore);
  // His reply to the card is a note for the officers, not a message to the member; nor may he write to
  // the member on Made's request.
  const toMemberBefore = h.telegram.textsTo(5101).length;
  await ketut.send("Saya rekan Pak Made, besok kami datang.", { replyTo: cardId });
  await h.drain();
  expect(h.telegram.textsTo(5101)).toHaveLength(toMemberBefore);
  expect((await Request.findById(requestId).lean())!.timeline.at(-1)).toMatchObject({ kind: "note", by: 9102, note: "Saya rekan Pak Made, besok kami datang." });
  expect(toast(await ketut.press(textOf("officer.btn.message"), { messageId: cardId }))).toBe(textOf("officer.cb.claimed_by_other", { code, officer: "Made" }));

  await made.press("Selesai", { messageId: cardId });
  await h.drain();
  const prompt = lastBotMessage(h, GROUP, templateRegex("officer.prompt.done"));
  // Made's prompt is his: Ketut's reply to it changes nothing.
  await ketut.send("Sudah selesai.", { replyTo: prompt.message_id });
  await h.drain();
  expect((await Request.findById(requestId).lean())!.status).toBe("ditindaklanjuti");
  await made.send("Label baru dicetak 200 lembar.", { replyTo: prompt.message_id });
  await h.drain();

  const doc = await Request.findById(requestId).lean();
  expect(doc).toMatchObject({ status: "selesai", assigneeTelegramId: 9101 });
  expect(doc!.timeline.map((e) => `${e.kind}:${e.by}:${e.to ?? ""}`)).toEqual([
    "created:5101:diterima",
    "claim:9101:",
    "status:9101:ditelaah",
    "status:9101:ditindaklanjuti",
    "note:9102:",
    "status:9101:selesai",
  ]);
  expect(h.telegram.textsTo(5101).slice(-2)).toEqual([
    textOf("officer.member.status.selesai", { ...typeWords(tFor("id"), "kemasan"), code, note: "Label baru dicetak 200 lembar." }),
    textOf("closure.ask", { ...typeWords(tFor("id"), "kemasan"), code }),
  ]);
  expect(await cardText(h, requestId)).toMatch(
    inOrder(textOf("officer.card.status", { status: textOf("labels.status.selesai") }), textOf("officer.card.assignee", { officer: mentionOf(9101, "Made") })),
  );
});

test("an alert with a voice note: the voice follows the card as a reply to it", async () => {
  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "produksi", {
    attachments: [{ kind: "voice", field: "description", fileId: "voice-kendala", fileUniqueId: "vk", duration: 42 }],
  });
  await h.drain();
  const cardId = await cardMessageId(r.id);
  expect(await cardText(h, r.id)).toContain(`: ${textOf("request.voice_note", { seconds: 42 })}`);
  const voice = h.telegram.callsOf("sendVoice", GROUP);
  expect(voice).toHaveLength(1);
  expect(voice[0].payload).toMatchObject({ voice: "voice-kendala", reply_parameters: { message_id: cardId } });
  expect(String(voice[0].payload.caption)).toBe(`🎤 Pesan suara <b>${r.code}</b>`);
  expect(h.telegram.callsOf("sendPhoto", GROUP)).toHaveLength(0);
  // Replying to the voice note writes to the member about this request.
  // A reply to the voice note belongs to the request (an internal note), like a reply to the card.
  // A reply to the voice note belongs to the request (an internal note), like a reply to the card.
  await made.send("Suaranya kurang jelas, bisa diketik?", { replyTo: (voice[0].result as { message_id: number }).message_id });
  await h.drain();
  expect((await Request.findById(r.id).lean())!.timeline.at(-1)).toMatchObject({ kind: "note", note: "Suaranya kurang jelas, bisa diketik?" });
});

test("a prompt answer over the length limit is refused with the count; the prompt stays open", async () => {
  const { requestId } = await memberAndRequest();
  const cardId = await cardMessageId(requestId);
  await made.press("Tolak", { messageId: cardId });
  await h.drain();
  const prompt = lastBotMessage(h, GROUP, templateRegex("officer.prompt.reject"));
  await made.send("a".repeat(1001), { replyTo: prompt.message_id });
  await h.drain();
  expect(groupTexts(h).at(-1)).toBe(textOf("officer.notice.too_long", { officer: mentionOf(9101, "Made"), count: 1001, max: 1000 }));
  expect((await Request.findById(requestId).lean())!.status).toBe("diterima");
  await made.send("b".repeat(1000), { replyTo: prompt.message_id });
  await h.drain();
  expect(await Request.findById(requestId).lean()).toMatchObject({ status: "ditolak" });
  expect((await Request.findById(requestId).lean())!.timeline.at(-1)!.note).toHaveLength(1000);
});

test("/sambungkan in another group while OFFICER_GROUP_ID is set: refused with the configured id, nothing linked", async () => {
  await clearDatabase();
  const h2 = officerHarness({ OFFICER_GROUP_ID: String(GROUP) });
  const other = h2.inGroup(-100555, ADMIN, { first_name: "Admin" });
  await other.send("/sambungkan");
  expect(other.lastText()).toBe(textOf("officer.admin.link_env", { id: GROUP }));
  expect(await getOfficerGroupId()).toBeUndefined();
  expect(await AuditLog.countDocuments({ action: "officer_group.link" })).toBe(0);
  expect(h2.telegram.callsOf("setMyCommands")).toHaveLength(0);
  // In the configured group itself it is confirmed.
  const inGroup = h2.inGroup(GROUP, ADMIN, { first_name: "Admin" });
  await inGroup.send("/sambungkan");
  expect(inGroup.lastText()).toContain(textOf("officer.admin.link_done"));
});
