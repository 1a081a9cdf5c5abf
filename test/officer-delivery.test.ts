/**
 * Delivery through the outbox: Telegram faults injected by the fake client.fetch (429 with
 * retry_after, 5xx, a network error, a blocked member), a process that stops between saving a
 * request and queueing its alert, a burst of 40 new requests against the group's 20 messages a
 * minute, and two dispatchers at once. The clock is moved by the test; nothing waits for real.
 */
import { tFor, typeWords } from "../src/i18n";
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import { Types } from "mongoose";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, TestUser, type ApiCall } from "./helpers/harness";
import { GROUP, cardMessageId, cardText, groupTexts, linkGroup, newMember, newRequest, officerHarness, officerWorld, seedWorld } from "./helpers/officers";
import { Request } from "../src/db/models/request";
import { Outbox } from "../src/db/models/outbox";
import { createRequest } from "../src/domain/requests";
import * as messageRefs from "../src/domain/message-refs";
import { lastChangeAt } from "../src/domain/queries";
import { toRequestView } from "../src/domain/requests";
import { formatWita } from "../src/lib/time";
import { loadCardData, renderCard } from "../src/telegram/render";
import * as effects from "../src/domain/request-effects";
import { PRIORITY } from "../src/domain/outbox";
import { changeStatus, claimRequest } from "../src/domain/workflow";
import { tryLock } from "../src/domain/locks";
import { enqueue } from "../src/domain/outbox";
import type { MemberView } from "../src/domain/members";
import { mentionOf, templateRegex, textOf } from "./helpers/localeText";

useTestDatabase();

let h: Harness;
let made: TestUser;
let sentraId: string;

beforeEach(async () => {
  ({ h, made, sentraId } = await officerWorld("kemasan, pemasaran, produksi, modal, pelatihan"));
});

const okCalls = (pred: (c: ApiCall) => boolean) => h.telegram.calls.filter((c) => !c.failed && pred(c));
const isCard = (c: ApiCall) => c.method === "sendMessage" && JSON.stringify(c.payload.reply_markup ?? {}).includes("oc:claim:");

test("429 waits retry_after; 500 and a network error are retried; every message arrives, each chat in order", async () => {
  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "kemasan");
  h.telegram.fail("sendMessage", { kind: "http", error_code: 429, description: "Too Many Requests: retry after 7", retry_after: 7 }, 1, GROUP);
  await h.drain();
  const throttledAt = h.telegram.calls.find((c) => c.failed)!.at!;
  expect((await Request.findById(r.id).lean())!.card?.messageId).toBeUndefined();
  h.clock.advance(6_000);
  await h.drain();
  expect(okCalls(isCard)).toHaveLength(0);
  h.clock.advance(1_500);
  await h.drain();
  const card = okCalls(isCard);
  expect(card).toHaveLength(1);
  expect(card[0].at! - throttledAt).toBeGreaterThanOrEqual(7_000);
  const cardId = await cardMessageId(r.id);

  // Now the member's notifications meet a 500 and a network error, the card edit a 502.
  h.telegram.fail("sendMessage", { kind: "http", error_code: 500, description: "Internal Server Error" }, 1, 5101);
  h.telegram.fail("sendMessage", { kind: "network" }, 1, 5101);
  h.telegram.fail("editMessageText", { kind: "http", error_code: 502, description: "Bad Gateway" }, 1);
  await made.press("Telaah", { messageId: cardId });
  await made.press(`oc:follow:${r.id}`, { raw: true, messageId: cardId });
  const report = await h.deliver();
  expect(report.pending).toBe(0);

  const toMember = okCalls((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === 5101).map((c) => String(c.payload.text));
  expect(toMember).toHaveLength(2);
  expect(toMember[0]).toMatch(templateRegex("officer.member.status.ditelaah", { vars: { code: r.code } }));
  expect(toMember[1]).toMatch(templateRegex("officer.member.status.ditindaklanjuti", { vars: { code: r.code } }));
  expect(await cardText(h, r.id)).toContain(textOf("officer.card.status", { status: textOf("labels.status.ditindaklanjuti") }));
  const failedAttempts = h.telegram.calls.filter((c) => c.failed).map((c) => `${c.method}:${c.payload.chat_id}`);
  expect(failedAttempts.sort()).toEqual([`editMessageText:${GROUP}`, `sendMessage:${GROUP}`, "sendMessage:5101", "sendMessage:5101"]);
  const retried = await Outbox.find({ attempts: { $gt: 1 } }).lean();
  expect(retried.length).toBeGreaterThanOrEqual(2);
  expect(retried.every((i) => i.status === "sent" && i.lastError === null)).toBe(true);
  expect(await Outbox.countDocuments({ status: { $ne: "sent" } })).toBe(0);
});

test("a member who blocked the bot (403) is shown on the card and not retried; the warning goes when a message gets through", async () => {
  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "kemasan");
  await h.drain();
  const cardId = await cardMessageId(r.id);
  h.telegram.fail("sendMessage", { kind: "http", error_code: 403, description: "Forbidden: bot was blocked by the user" }, 1, 5101);
  await made.press("Telaah", { messageId: cardId });
  await h.deliver();
  const doc = await Request.findById(r.id).lean();
  expect(doc!.memberUnreachableAt).toBeInstanceOf(Date);
  expect(doc!.timeline.at(-1)).toMatchObject({ kind: "delivery", role: "system", note: expect.stringMatching(/403/) });
  expect(await cardText(h, r.id)).toMatch(templateRegex("officer.card.unreachable", { vars: { at: /.* WITA/ } }));
  expect(await Outbox.findOne({ kind: "member" }).lean()).toMatchObject({ status: "failed", attempts: 1 });
  const calls = h.telegram.calls.length;
  h.clock.advance(3600_000);
  await h.deliver();
  expect(h.telegram.calls.slice(calls).filter((c) => Number(c.payload.chat_id) === 5101)).toHaveLength(0);

  // Unblocked later: the next notification arrives and the card no longer warns.
  await made.press(`oc:follow:${r.id}`, { raw: true, messageId: cardId });
  await h.deliver();
  expect(h.telegram.textsTo(5101).at(-1)).toMatch(templateRegex("officer.member.status.ditindaklanjuti", { vars: { code: r.code } }));
  expect((await Request.findById(r.id).lean())!.memberUnreachableAt).toBeNull();
  expect(await cardText(h, r.id)).not.toMatch(templateRegex("officer.card.unreachable"));
});

test("an officer who never opened a private chat is told in the group how to get the member's number", async () => {
  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "kemasan");
  await h.drain();
  h.telegram.fail("sendMessage", { kind: "http", error_code: 403, description: "Forbidden: bot can't initiate conversation with a user" }, 1, 9101);
  await made.press("Ambil", { messageId: await cardMessageId(r.id) });
  await h.deliver();
  expect(groupTexts(h).at(-1)).toMatch(templateRegex("officer.notice.contact_failed", { vars: { officer: mentionOf(9101, "Made"), code: r.code } }));
  expect(groupTexts(h).join("\n")).not.toContain("81234567890");
  // Pressing Ambil again after opening the chat sends the number.
  await made.press("Ambil", { messageId: await cardMessageId(r.id) }).catch(() => undefined);
  await made.press(`oc:claim:${r.id}`, { raw: true, messageId: await cardMessageId(r.id) });
  await h.deliver();
  expect(h.telegram.textsTo(9101).at(-1)).toContain("+6281234567890");
});

test("the process stops after the request is saved but before its alert: the next process sends it", async () => {
  const member = await newMember(5101, { sentraId });
  // The process "dies" right after the save, before submitRequest queues the alert.
  const lost = await createRequest({
    sla: SLA_DEFAULTS,
    type: "produksi",
    member: { id: member.id, telegramId: member.telegramId, sentraId: member.sentraId, kecamatan: "Mengwi" },
    answers: { what: "x" },
    attachments: [],
    sourceKey: "died-after-save",
    now: new Date(),
  });
  expect(await Request.findById(lost.id).lean()).toMatchObject({ effectsPending: true, effectsQueued: 0 });
  expect(await Outbox.countDocuments({ requestId: lost.id })).toBe(0);

  // And a status change queued in the outbox whose dispatcher stopped before sending.
  const queued = await newRequest(member, "kemasan");
  await h.drain();
  await claimRequest(queued.id, { telegramId: 9101, role: "officer", name: "Made" }, { now: h.clock.now(), sla: SLA_DEFAULTS });
  await changeStatus(queued.id, { telegramId: 9101, role: "officer", name: "Made" }, "ditelaah", undefined, { now: h.clock.now(), sla: SLA_DEFAULTS });
  // "Taken by an officer", then "being reviewed".
  expect(await Outbox.countDocuments({ kind: "member", status: "pending" })).toBe(2);

  h.restart(); // a new bot instance and a new dispatcher, same database
  await h.deliver();
  expect(await Request.findById(lost.id).lean()).toMatchObject({ effectsPending: false, effectsQueued: 1 });
  expect(await cardText(h, lost.id)).toContain(lost.code);
  expect(h.telegram.textsTo(5101).at(-1)).toBe(textOf("officer.member.status.ditelaah", { ...typeWords(tFor("id"), "kemasan"), code: queued.code }));
  expect(await Outbox.countDocuments({ status: { $ne: "sent" } })).toBe(0);
});

test("a request saved before the flag was renamed (alertPending) still gets its alert, and loses the old flag", async () => {
  const member = await newMember(5102, { sentraId });
  const old = await createRequest({
    sla: SLA_DEFAULTS,
    type: "produksi",
    member: { id: member.id, telegramId: member.telegramId, sentraId: member.sentraId, kecamatan: "Mengwi" },
    answers: { what: "x" },
    attachments: [],
    sourceKey: "saved-before-rename",
    now: new Date(),
  });
  // As an older version stored it: the former flag name, no effectsPending.
  await Request.collection.updateOne({ _id: new Types.ObjectId(old.id) }, { $set: { alertPending: true }, $unset: { effectsPending: "" } });
  await h.deliver();
  expect(await cardText(h, old.id)).toContain(old.code);
  const stored = await Request.collection.findOne({ _id: new Types.ObjectId(old.id) });
  expect(stored).toMatchObject({ effectsPending: false, effectsQueued: 1 });
  expect(stored).not.toHaveProperty("alertPending");
});

test("requests made before any group is linked wait, then reach the group once it is", async () => {
  await clearDatabase();
  await seedWorld();
  const h2 = officerHarness();
  const member = await newMember(5102);
  const r = await newRequest(member, "modal");
  const report = await h2.deliver();
  expect(report.pending).toBe(1);
  expect(h2.telegram.calls.filter((c) => c.method === "sendMessage")).toHaveLength(0);
  await linkGroup(h2);
  await h2.drain();
  expect(h2.telegram.messages.get(`${GROUP}:${(await Request.findById(r.id).lean())!.card!.messageId}`)!.text).toContain(r.code);
});

test("a burst of 40 new requests: never more than 20 group messages in any minute, and all 40 visible at once", async () => {
  h.clock.advance(5 * 60_000); // the set-up messages are long out of the window
  const members: MemberView[] = [];
  for (let i = 0; i < 4; i++) members.push(await newMember(5200 + i, { kecamatan: "Mengwi" }));
  const codes: string[] = [];
  for (let i = 0; i < 40; i++) codes.push((await newRequest(members[i % 4], (["produksi", "kemasan", "pemasaran", "modal", "pelatihan"] as const)[i % 5])).code);
  const start = h.clock.ms;

  await h.drain(); // the first minute, no time passing
  const digest = h.telegram.calls.find((c) => !c.failed && templateRegex("officer.digest.title").test(String(c.payload.text)));
  expect(digest).toBeDefined();
  for (const code of codes) expect(String(digest!.payload.text)).toContain(code);
  expect(okCalls(isCard).length).toBeLessThan(20);

  const report = await h.deliver();
  expect(report.pending).toBe(0);
  const cards = okCalls(isCard);
  expect(cards).toHaveLength(40);
  expect(new Set(cards.map((c) => /<b>([A-Z]{3}-\d{4}-\d{3})<\/b>/.exec(String(c.payload.text))![1]))).toEqual(new Set(codes));

  const times = okCalls((c) => Number(c.payload.chat_id) === GROUP && c.method !== "answerCallbackQuery" && c.method !== "setMessageReaction" && (c.at ?? 0) >= start)
    .map((c) => c.at!)
    .sort((x, y) => x - y);
  let worst = 0;
  for (let i = 0; i < times.length; i++) worst = Math.max(worst, times.filter((t) => t >= times[i] && t < times[i] + 60_000).length);
  expect(worst).toBeLessThanOrEqual(20);
  expect(times.length).toBe(41); // 40 cards and one digest
  expect(times.at(-1)! - start).toBeLessThan(3 * 60_000);
});

test("two dispatchers at once send every message exactly once", async () => {
  const member = await newMember(5101, { sentraId });
  const requests = [];
  for (let i = 0; i < 8; i++) requests.push(await newRequest(member, "kemasan"));
  await h.drain();
  const officer = { telegramId: 9101, role: "officer" as const, name: "Made" };
  for (const r of requests) await changeStatus(r.id, officer, "ditelaah", undefined, { now: h.clock.now(), sla: SLA_DEFAULTS });
  const other = h.newDispatcher();
  await Promise.all([h.dispatcher.runOnce(), other.runOnce(), h.dispatcher.runOnce(), other.runOnce()]);
  await Promise.all([h.deliver(), other.drain()]);
  const toMember = okCalls((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === 5101);
  expect(toMember).toHaveLength(8);
  expect(new Set(toMember.map((c) => String(c.payload.text))).size).toBe(8);
  const contacts = okCalls((c) => Number(c.payload.chat_id) === 9101 && c.method === "sendMessage");
  expect(contacts).toHaveLength(8);
  expect(await Outbox.countDocuments({ status: { $ne: "sent" } })).toBe(0);
});

test("an insert-based lock has one holder at a time, also across processes", async () => {
  const results = await Promise.all(Array.from({ length: 12 }, () => tryLock("test-lock")));
  const holders = results.filter((r) => r !== null);
  expect(holders).toHaveLength(1);
  expect(await tryLock("test-lock")).toBeNull();
  await holders[0]!();
  const again = await tryLock("test-lock");
  expect(again).not.toBeNull();
  // A holder that died: its lock is free again two buckets later, not before.
  const realNow = Date.now;
  try {
    Date.now = () => realNow() + 15_000;
    expect(await tryLock("test-lock")).toBeNull();
    Date.now = () => realNow() + 31_000;
    expect(await tryLock("test-lock")).not.toBeNull();
  } finally {
    Date.now = realNow;
  }
});

test("the group refusing for lack of rights is retried like a 403; the card arrives once the bot may write again", async () => {
  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "kemasan");
  h.telegram.fail("sendMessage", { kind: "http", error_code: 400, description: "Bad Request: not enough rights to send text messages to the chat" }, 3, GROUP);
  await h.drain();
  expect(await Outbox.findOne({ kind: "alert" }).lean()).toMatchObject({ status: "pending", attempts: 1 });
  const report = await h.deliver();
  expect(report.pending).toBe(0);
  expect(okCalls(isCard)).toHaveLength(1);
  expect(String(okCalls(isCard)[0].payload.text)).toContain("<b>"); // still the HTML card
  expect(await cardText(h, r.id)).toContain(r.code);
});

test("a group that takes text but not photos or voice notes: each caption goes as a plain reply to the card, and the card says the media did not arrive", async () => {
  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "produksi", {
    attachments: [
      { kind: "photo", field: "photo", fileId: "photo-A", fileUniqueId: "pa", caption: "Mesin jahit rusak" },
      { kind: "voice", field: "description", fileId: "voice-A", fileUniqueId: "va", duration: 12 },
    ],
  });
  h.telegram.fail("sendPhoto", { kind: "http", error_code: 400, description: "Bad Request: not enough rights to send photos to the chat" }, 5, GROUP);
  h.telegram.fail("sendVoice", { kind: "http", error_code: 400, description: "Bad Request: not enough rights to send voice notes to the chat" }, 5, GROUP);
  const report = await h.deliver();
  expect(report.pending).toBe(0);
  // Each media refused once, not retried.
  expect(h.telegram.calls.filter((c) => c.method === "sendPhoto" || c.method === "sendVoice")).toHaveLength(2);
  const cardId = await cardMessageId(r.id);
  const asText = okCalls(
    (c) => c.method === "sendMessage" && Number(c.payload.chat_id) === GROUP && (c.payload.reply_parameters as { message_id?: number } | undefined)?.message_id === cardId,
  );
  expect(asText.map((c) => String(c.payload.text))).toEqual([`📷 Foto ${r.code}\n\nMesin jahit rusak`, `🎤 Pesan suara ${r.code}`]);
  expect(asText.every((c) => c.payload.parse_mode === undefined && !("photo" in c.payload) && !("voice" in c.payload))).toBe(true);
  expect(await Outbox.find({ kind: "alert_media" }).lean()).toEqual([expect.objectContaining({ status: "sent" }), expect.objectContaining({ status: "sent" })]);
  const notes = (await Request.findById(r.id).lean())!.timeline.filter((e) => e.kind === "delivery").map((e) => e.note);
  expect(notes).toEqual([expect.stringMatching(/^grup \(alert_media\) 400: .*send photos/), expect.stringMatching(/^grup \(alert_media\) 400: .*send voice notes/)]);
  expect(await cardText(h, r.id)).toMatch(templateRegex("officer.card.delivery_failed", { vars: { at: /.* WITA/, note: /grup \(alert_media\) 400: .*voice notes/ } }));
  // A reply to the text stand-in still reaches the member.
  await made.send("Mesin merek apa?", { replyTo: (asText[0].result as { message_id: number }).message_id });
  await h.deliver();
  expect((await Request.findById(r.id).lean())!.timeline.at(-1)).toMatchObject({ kind: "note", note: "Mesin merek apa?" });
});

test("a caption sent as text for a refused photo that is refused too is recorded on the request", async () => {
  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "kemasan");
  await h.drain();
  // A photo for a request whose card is out; the group refuses photos, then the text stand-in.
  await enqueue(
    [
      {
        kind: "alert_media",
        chat: "group",
        method: "sendPhoto",
        payload: { photo: "photo-X", caption: `📷 Foto <b>${r.code}</b>` },
        requestId: r.id,
        priority: PRIORITY.media,
        replyToCard: true,
        ref: { messageRef: "media" },
        dedupeKey: "extra-photo",
      },
    ],
    h.clock.now(),
  );
  h.telegram.fail("sendPhoto", { kind: "http", error_code: 400, description: "Bad Request: not enough rights to send photos to the chat" }, 1, GROUP);
  h.telegram.fail("sendMessage", { kind: "http", error_code: 400, description: "Bad Request: TOPIC_CLOSED" }, 1, GROUP);
  const report = await h.deliver();
  expect(report.pending).toBe(0);
  expect(h.telegram.calls.filter((c) => c.failed).map((c) => c.method)).toEqual(["sendPhoto", "sendMessage"]);
  expect(await Outbox.findOne({ dedupeKey: "extra-photo" }).lean()).toMatchObject({ status: "failed", attempts: 2 });
  const notes = (await Request.findById(r.id).lean())!.timeline.filter((e) => e.kind === "delivery").map((e) => e.note);
  expect(notes).toEqual([expect.stringMatching(/send photos/), expect.stringMatching(/^grup \(alert_media\) 400: .*TOPIC_CLOSED/)]);
  expect(await cardText(h, r.id)).toMatch(templateRegex("officer.card.delivery_failed", { vars: { note: /.*TOPIC_CLOSED/ } }));
});

test("a group message refused for its HTML is sent once more as plain text (buttons kept)", async () => {
  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "kemasan");
  h.telegram.fail("sendMessage", { kind: "http", error_code: 400, description: "Bad Request: can't parse entities: Unexpected end tag at byte offset 12" }, 1, GROUP);
  await h.drain();
  const card = okCalls(isCard);
  expect(card).toHaveLength(1);
  expect(card[0].payload.parse_mode).toBeUndefined();
  expect(card[0].payload.entities).toEqual([]);
  expect(String(card[0].payload.text)).not.toMatch(/<\/?b>/);
  expect(String(card[0].payload.text)).toContain(r.code);
  // The card works: its place is known and its buttons answer.
  await made.press("Ambil", { messageId: await cardMessageId(r.id) });
  expect((await Request.findById(r.id).lean())!.assigneeTelegramId).toBe(9101);
});

test("a group message that fails twice (HTML and plain) is recorded on the request and shown on its card", async () => {
  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "produksi", { attachments: [{ kind: "photo", field: "photo", fileId: "gone-photo", fileUniqueId: "gone-u" }] });
  h.telegram.fail("sendPhoto", { kind: "http", error_code: 400, description: "Bad Request: wrong file identifier/HTTP URL specified" }, 2, GROUP);
  const report = await h.deliver();
  expect(report.pending).toBe(0);
  expect(h.telegram.calls.filter((c) => c.method === "sendPhoto").map((c) => Boolean(c.failed))).toEqual([true, true]);
  expect(await Outbox.findOne({ kind: "alert_media" }).lean()).toMatchObject({ status: "failed", attempts: 2 });
  const last = (await Request.findById(r.id).lean())!.timeline.at(-1);
  expect(last).toMatchObject({ kind: "delivery", role: "system", note: expect.stringMatching(/^grup \(alert_media\) 400: .*wrong file identifier/) });
  expect(await cardText(h, r.id)).toMatch(templateRegex("officer.card.delivery_failed", { vars: { at: /.* WITA/, note: /grup \(alert_media\) 400/ } }));
});

test("a delivery record is not an update: the card's 'Diperbarui' is the request's last change, as /status shows it", async () => {
  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "produksi", { attachments: [{ kind: "photo", field: "photo", fileId: "gone-photo", fileUniqueId: "gone-u" }] });
  h.clock.advance(2 * 3600_000);
  h.telegram.fail("sendPhoto", { kind: "http", error_code: 400, description: "Bad Request: wrong file identifier/HTTP URL specified" }, 2, GROUP);
  await h.deliver();
  let card = await cardText(h, r.id);
  expect(card).toMatch(templateRegex("officer.card.delivery_failed"));
  expect(card).not.toMatch(templateRegex("officer.card.updated"));

  h.clock.advance(3600_000);
  await made.press("Ambil", { messageId: await cardMessageId(r.id) });
  await h.deliver();
  h.clock.advance(3600_000);
  await effects.recordDeliveryFailure(r.id, "grup (group_relay) 400: Bad Request: something", { now: h.clock.now(), sla: SLA_DEFAULTS });
  await h.deliver();
  const doc = await Request.findById(r.id).lean();
  expect(doc!.timeline.map((e) => e.kind)).toEqual(["created", "delivery", "claim", "delivery"]);
  const claimedAt = doc!.timeline[2].at;
  expect(lastChangeAt(toRequestView(doc!))).toEqual(claimedAt);
  card = await cardText(h, r.id);
  expect(card).toContain(textOf("officer.card.updated", { at: formatWita(claimedAt, "id") }));
  expect(card).not.toContain(textOf("officer.card.updated", { at: formatWita(doc!.timeline[3].at, "id") }));
});

test("a card whose place was not recorded after it went out is repaired by the next scan, and its buttons work", async () => {
  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "kemasan");
  // The card goes out, but writing where it is fails (or the process stops right then).
  const spy = jest.spyOn(effects, "recordCard").mockRejectedValueOnce(new Error("lock timeout"));
  await h.drain();
  spy.mockRestore();
  const sent = okCalls(isCard);
  expect(sent).toHaveLength(1);
  const messageId = (sent[0].result as { message_id: number }).message_id;
  expect((await Request.findById(r.id).lean())!.card?.messageId).toBeUndefined();
  expect(await Outbox.findOne({ kind: "alert" }).lean()).toMatchObject({ status: "sent", chatId: GROUP, messageIds: [messageId] });
  const refused = await made.press("Ambil", { messageId });
  expect(refused.find((c) => c.method === "answerCallbackQuery")!.payload.text).toBe(textOf("officer.cb.stale"));

  // A new process (its dispatcher's first scan) finds the card from the sent alert.
  h.restart();
  await h.drain();
  expect((await Request.findById(r.id).lean())!.card).toMatchObject({ chatId: GROUP, messageId });
  expect(okCalls(isCard)).toHaveLength(1); // not sent again
  await made.press("Ambil", { messageId });
  await h.deliver();
  expect((await Request.findById(r.id).lean())!.assigneeTelegramId).toBe(9101);
  expect(await cardText(h, r.id)).toContain(textOf("officer.card.assignee", { officer: mentionOf(9101, "Made") }));
  // Replies to the card reach the member again.
  await made.send("Bisa kirim foto kemasannya?", { replyTo: messageId });
  await h.deliver();
  expect((await Request.findById(r.id).lean())!.timeline.at(-1)).toMatchObject({ kind: "note", note: "Bisa kirim foto kemasannya?" });
});

test("a card whose reply link was not written after it went out is repaired by the next scan: replies to it belong to the request again", async () => {
  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "kemasan");
  // The card goes out, but writing which request it belongs to (for replies) fails once.
  const real = messageRefs.recordMessageRef;
  let failed = false;
  const spy = jest.spyOn(messageRefs, "recordMessageRef").mockImplementation(async (ref) => {
    if (ref.kind === "card" && !failed) {
      failed = true;
      throw new Error("lock timeout");
    }
    return real(ref);
  });
  await h.drain();
  spy.mockRestore();
  expect(failed).toBe(true);
  const sent = okCalls(isCard);
  expect(sent).toHaveLength(1);
  const messageId = (sent[0].result as { message_id: number }).message_id;

  // The next scan puts both back: the card's place and what it belongs to.
  h.restart();
  await h.drain();
  expect((await Request.findById(r.id).lean())!.card).toMatchObject({ chatId: GROUP, messageId });
  expect(okCalls(isCard)).toHaveLength(1); // not sent again
  await made.send("Bisa kirim foto kemasannya?", { replyTo: messageId });
  await h.deliver();
  expect((await Request.findById(r.id).lean())!.timeline.at(-1)).toMatchObject({ kind: "note", note: "Bisa kirim foto kemasannya?" });
});

test("the bot's direct answers in the group count against its 20 a minute (edits that change nothing do not)", async () => {
  h.clock.advance(5 * 60_000); // the set-up messages are long out of the window
  const start = h.clock.ms;
  const admin = h.inGroup(GROUP, 9000, { first_name: "Admin" });
  // Twenty direct answers in the group: /petugas asks its question as a reply, not through the outbox.
  for (let i = 0; i < 20; i++) await admin.send(`/petugas tambah ${7000 + i} kemasan`);
  expect(h.telegram.callsOf("sendMessage", GROUP).filter((c) => c.at! >= start)).toHaveLength(20);
  // An edit Telegram answers "message is not modified" sent nothing: not counted.
  h.telegram.fail("editMessageText", { kind: "http", error_code: 400, description: "Bad Request: message is not modified" }, 1);
  await h.bot.api.editMessageText(GROUP, 1, "sama").catch(() => undefined);
  expect(await Outbox.countDocuments({ kind: "notice", sentAt: { $gte: new Date(start) } })).toBe(20);
  // An edit Telegram accepts changed a message in the group: counted.
  await h.bot.api.editMessageText(GROUP, 1, "baru");
  expect(await Outbox.countDocuments({ kind: "notice", sentAt: { $gte: new Date(start) } })).toBe(21);

  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "kemasan");
  const report = await h.drain();
  expect(okCalls(isCard)).toHaveLength(0);
  expect(report.nextWakeAt!.getTime()).toBeGreaterThanOrEqual(start + 60_000);
  await h.deliver();
  const card = okCalls(isCard);
  expect(card).toHaveLength(1);
  expect(card[0].at! - start).toBeGreaterThanOrEqual(60_000);
  expect(await cardText(h, r.id)).toContain(r.code);
});

test("card edits that send nothing (unchanged, or 'message is not modified') do not use the group's budget", async () => {
  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "kemasan");
  await h.drain();
  const cardId = await cardMessageId(r.id);
  h.telegram.fail(
    "editMessageText",
    { kind: "http", error_code: 400, description: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same" },
    1,
    GROUP,
  );
  await made.press("Telaah", { messageId: cardId });
  await h.drain();
  // Settled, not failed, and not retried as plain text.
  expect(h.telegram.calls.filter((c) => c.method === "editMessageText" && c.payload.message_id === cardId)).toHaveLength(1);
  const edit = await Outbox.findOne({ kind: "card" }).lean();
  expect(edit).toMatchObject({ status: "sent", sentAt: null });
  // An edit queued when the card already shows everything is settled without a call.
  await Outbox.create({
    kind: "card",
    target: "chat",
    chatId: GROUP,
    group: true,
    method: "editMessageText",
    requestId: r.id,
    nextAttemptAt: new Date(0),
    dedupeKey: "extra-edit",
  });
  await Request.updateOne({ _id: r.id }, { $set: { "card.hash": renderCard((await loadCardData(r.id, h.clock.now()))!).hash } });
  await h.drain();
  expect(await Outbox.findOne({ dedupeKey: "extra-edit" }).lean()).toMatchObject({ status: "sent", sentAt: null });
  expect(h.telegram.calls.filter((c) => c.method === "editMessageText" && c.payload.message_id === cardId)).toHaveLength(1);
  expect(await Outbox.countDocuments({ kind: "card", sentAt: { $ne: null } })).toBe(0);
});

test("bookkeeping that fails after a 'message is not modified' edit does not end the dispatcher's run", async () => {
  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "kemasan");
  await h.drain();
  const cardId = await cardMessageId(r.id);
  h.telegram.fail("editMessageText", { kind: "http", error_code: 400, description: "Bad Request: message is not modified" }, 1, GROUP);
  await made.press("Telaah", { messageId: cardId });
  // Two requests at once: the second's card goes out in the same run, after the failing edit.
  const other = await newRequest(member, "produksi");
  const spy = jest.spyOn(effects, "recordCard").mockRejectedValueOnce(new Error("lock timeout"));
  const report = await h.dispatcher.runOnce();
  expect(spy).toHaveBeenCalled();
  spy.mockRestore();
  expect(await Outbox.findOne({ kind: "card", requestId: r.id }).lean()).toMatchObject({ status: "sent", sentAt: null });
  expect(report.sent).toBeGreaterThanOrEqual(1);
  expect(
    okCalls(isCard)
      .map((c) => String(c.payload.text))
      .join("\n"),
  ).toContain(other.code);
});
