/**
 * Officer prompts ("write your message…"): they jump the officers' group queue of new cards (someone
 * is waiting for them) while the group's 20 a minute still holds, and only the addressed officer's
 * reply answers one. The clock is the harness's; Telegram's latency is simulated by moving it.
 */
import { tFor } from "../src/i18n";
import { useTestDatabase } from "./helpers/db";
import { Harness, TestUser, type ApiCall } from "./helpers/harness";
import { GROUP, addOfficer, cardMessageId, lastBotMessage, newMember, newRequest, officerWorld } from "./helpers/officers";
import { Request } from "../src/db/models/request";
import { OfficerPrompt } from "../src/db/models/officer-prompt";
import type { RequestView } from "../src/domain/requests";
import { mentionOf, templateRegex, textOf } from "./helpers/localeText";

useTestDatabase();

let h: Harness;
let admin: TestUser;
let made: TestUser;
let sentraId: string;

beforeEach(async () => {
  ({ h, admin, made, sentraId } = await officerWorld("kemasan, pemasaran, produksi, modal, pelatihan"));
});

const MESSAGE_BUTTON = tFor("id")("officer.btn.message");
const CLAIM_BUTTON = tFor("id")("officer.btn.claim");
const isCard = (c: ApiCall) => !c.failed && c.method === "sendMessage" && JSON.stringify(c.payload.reply_markup ?? {}).includes("oc:claim:");
const isPrompt = (c: ApiCall) => !c.failed && c.method === "sendMessage" && templateRegex("officer.prompt.message").test(String(c.payload.text));
const groupSends = (from: number) =>
  h.telegram.calls.filter((c) => !c.failed && Number(c.payload.chat_id) === GROUP && !["answerCallbackQuery", "setMessageReaction"].includes(c.method) && (c.at ?? 0) >= from);

/** 40 new requests at once: the digest and the cards the first minute allows go out, the rest wait. */
async function fortyQueued(): Promise<RequestView[]> {
  h.clock.advance(5 * 60_000); // the set-up messages are long out of the window
  const members = [];
  for (let i = 0; i < 4; i++) members.push(await newMember(5200 + i, { kecamatan: "Mengwi" }));
  const requests: RequestView[] = [];
  for (let i = 0; i < 40; i++) requests.push(await newRequest(members[i % 4], (["produksi", "kemasan", "pemasaran", "modal", "pelatihan"] as const)[i % 5]));
  await h.drain();
  expect(h.telegram.calls.filter(isCard).length).toBeLessThan(20);
  return requests;
}

/** Never more than 20 group messages in any minute since `from`; every card out once. */
function expectBudgetKeptAndAllCards(from: number) {
  const times = groupSends(from)
    .map((c) => c.at!)
    .sort((x, y) => x - y);
  let worst = 0;
  for (let i = 0; i < times.length; i++) worst = Math.max(worst, times.filter((t) => t >= times[i] && t < times[i] + 60_000).length);
  expect(worst).toBeLessThanOrEqual(20);
  expect(h.telegram.calls.filter(isCard)).toHaveLength(40);
}

test("with 40 cards queued and card edits using the spare slots, an officer's prompt still goes at once, before the cards", async () => {
  const start = h.clock.ms;
  const requests = await fortyQueued();
  // Made claims two cards: their edits take slots the new cards left free.
  for (const r of requests.slice(0, 2)) await made.press(CLAIM_BUTTON, { messageId: await cardMessageId(r.id) });
  await h.drain();
  const cardsBefore = h.telegram.calls.filter(isCard).length;

  h.clock.advance(2_000);
  const pressedAt = h.clock.ms;
  await made.press(MESSAGE_BUTTON, { messageId: await cardMessageId(requests[0].id) });
  await h.drain();
  const prompt = h.telegram.calls.find(isPrompt);
  expect(prompt).toBeDefined();
  expect(prompt!.at! - pressedAt).toBeLessThanOrEqual(3_000);
  // No queued card went before it.
  expect(h.telegram.calls.filter(isCard)).toHaveLength(cardsBefore);

  const report = await h.deliver();
  expect(report.pending).toBe(0);
  expectBudgetKeptAndAllCards(start);
  // The prompt works: Made's reply reaches the member.
  await made.send("Mohon kirim foto produknya.", { replyTo: (prompt!.result as { message_id: number }).message_id });
  await h.deliver();
  expect(h.telegram.textsTo(requests[0].memberTelegramId).join("\n")).toContain("Mohon kirim foto produknya.");
});

test("a prompt queued while the dispatcher is busy sending cards goes next, not after the whole batch", async () => {
  const start = h.clock.ms;
  const requests = await fortyQueued();
  const firstCard = await cardMessageId(requests[0].id);
  h.clock.advance(61_000); // the window is free again: a batch of cards can go
  let cardsSeen = 0;
  let pressedAt = 0;
  let pressing = false;
  h.telegram.onCall = async (method, payload) => {
    if (pressing || method !== "sendMessage" || Number(payload.chat_id) !== GROUP) return;
    h.clock.advance(400); // each group send takes Telegram a while
    if (!JSON.stringify(payload.reply_markup ?? {}).includes("oc:claim:") || ++cardsSeen !== 3) return;
    // Meanwhile Made presses 💬 on a card that is already out.
    pressing = true;
    pressedAt = h.clock.ms;
    await made.press(MESSAGE_BUTTON, { messageId: firstCard });
    pressing = false;
  };
  await h.drain();
  h.telegram.onCall = undefined;
  const calls = h.telegram.calls;
  const promptAt = calls.findIndex(isPrompt);
  expect(promptAt).toBeGreaterThan(0);
  expect(calls[promptAt].at! - pressedAt).toBeLessThanOrEqual(3_000);
  // At most the card being sent when Made pressed went between the press and the prompt.
  const cardsAfterPress = calls.slice(0, promptAt).filter((c) => isCard(c) && c.at! > pressedAt);
  expect(cardsAfterPress.length).toBeLessThanOrEqual(1);
  expect(calls.slice(promptAt).filter(isCard).length).toBeGreaterThan(0);

  const report = await h.deliver();
  expect(report.pending).toBe(0);
  expectBudgetKeptAndAllCards(start);
});

test("a 429 on the prompt still pauses the group: nothing goes before retry_after, then the prompt first, the cards after", async () => {
  const start = h.clock.ms;
  const requests = await fortyQueued();
  h.clock.advance(61_000);
  h.telegram.fail("sendMessage", { kind: "http", error_code: 429, description: "Too Many Requests: retry after 5", retry_after: 5 }, 1, GROUP);
  const pressedAt = h.clock.ms;
  await made.press(MESSAGE_BUTTON, { messageId: await cardMessageId(requests[0].id) });
  await h.drain();
  // The prompt went first and met the 429; nothing else went to the group meanwhile.
  const refused = h.telegram.calls.filter((c) => c.failed);
  expect(refused).toHaveLength(1);
  expect(templateRegex("officer.prompt.message").test(String(refused[0].payload.text))).toBe(true);
  expect(groupSends(pressedAt)).toHaveLength(0);
  h.clock.advance(4_000);
  await h.drain();
  expect(groupSends(pressedAt)).toHaveLength(0);
  h.clock.advance(1_500);
  await h.drain();
  const after = groupSends(pressedAt);
  expect(isPrompt(after[0])).toBe(true);
  expect(after[0].at! - pressedAt).toBeGreaterThanOrEqual(5_000);
  expect(after.slice(1).some(isCard)).toBe(true);
  const report = await h.deliver();
  expect(report.pending).toBe(0);
  expectBudgetKeptAndAllCards(start);
});

test("another officer's reply to a colleague's prompt is refused in the group; nothing reaches the member; the prompt stays open", async () => {
  const komang = await addOfficer(h, admin, 9102, "Komang", "kemasan");
  const member = await newMember(5101, { name: "Ni Luh Sari", sentraId });
  const r = await newRequest(member, "kemasan");
  await h.drain();
  await made.press(MESSAGE_BUTTON, { messageId: await cardMessageId(r.id) });
  await h.drain();
  const prompt = lastBotMessage(h, GROUP, templateRegex("officer.prompt.message"));
  // The prompt says whose reply counts.
  expect(String(prompt.text)).toBe(textOf("officer.prompt.message", { officer: mentionOf(9101, "Made"), name: "Made", code: r.code }));

  await komang.send("Dari Komang: besok saya telepon.", { replyTo: prompt.message_id });
  await h.deliver();
  expect(h.telegram.textsTo(5101).join("\n")).not.toContain("Dari Komang");
  const doc = (await Request.findById(r.id).lean())!;
  expect(doc.timeline.filter((e) => e.kind === "reply")).toHaveLength(0);
  const open = await OfficerPrompt.findOne({ requestId: doc._id }).lean();
  expect(open).toMatchObject({ officerTelegramId: 9101, usedAt: null });
  const notice = h.telegram.lastMessageTo(GROUP)!;
  expect(notice.payload.text).toBe(textOf("officer.notice.prompt_not_yours", { officer: mentionOf(9102, "Komang"), addressed: "Made", code: r.code }));
  expect(notice.payload.reply_parameters).toMatchObject({ message_id: expect.any(Number) });

  // Made's own reply still answers it.
  await made.send("Dari Made: mohon kirim foto kemasan.", { replyTo: prompt.message_id });
  await h.deliver();
  expect(h.telegram.textsTo(5101).join("\n")).toContain("Dari Made: mohon kirim foto kemasan.");
  expect((await OfficerPrompt.findById(open!._id).lean())!.usedAt).not.toBeNull();
  expect((await Request.findById(r.id).lean())!.timeline.filter((e) => e.kind === "reply")).toHaveLength(1);
});
