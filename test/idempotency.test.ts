/**
 * An update delivered twice is processed once: the same /start, a dialogue answer and two copies
 * arriving at the same moment each have one effect. The ids expire: MongoDB's TTL index where the
 * server has one, and the code's own purge (FerretDB does not enforce TTL).
 */
import mongoose from "mongoose";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { RecordingHarness, registeredMember, seen, GOOD } from "./helpers/requests";
import { ProcessedUpdate } from "../src/db/models/processed-update";
import { claimUpdate, purgeExpiredUpdates, ensureProcessedUpdateIndex, PROCESSED_UPDATE_TTL_MS } from "../src/domain/processed-updates";
import { ConversationState } from "../src/db/models/conversation-state";
import { tFor } from "../src/i18n";
import { MessageRef } from "../src/db/models/message-ref";
import { officerWorld, newMember, newRequest, cardMessageId, lastBotMessage, messageMember } from "./helpers/officers";
import type { Update } from "grammy/types";

useTestDatabase();
const t = tFor("id");

beforeEach(async () => {
  await clearDatabase();
});

test("the same /start delivered twice, also to a new process: one welcome, the id kept with the dialogue it opened", async () => {
  const h = new RecordingHarness();
  const u = h.user(61001);
  const first = await u.send("/start");
  expect(seen(first).length).toBeGreaterThan(0);
  const update = h.updates.at(-1)!;
  expect(await h.redeliver(update)).toEqual([]);
  h.restart();
  expect(await h.redeliver(update)).toEqual([]);
  // Recorded in the write that stored the new dialogue, not in a write of its own.
  expect((await ConversationState.findById(String(u.id)).lean())!.updates).toEqual([update.update_id]);
  expect(await ProcessedUpdate.countDocuments()).toBe(0);
});

test("an update that writes outside its dialogue is claimed right before that write, for 25 hours", async () => {
  const { h, sentraId } = await officerWorld();
  await newRequest(await newMember(61005, { sentraId }), "kemasan");
  const u = h.user(61005);
  const claims = new Set((await ProcessedUpdate.find({}, { _id: 1 }).lean()).map((d) => d._id));
  const before = Date.now();
  // A free message from a member with an open request: which request it is for is asked, and the
  // pending choice written (an effect outside any dialogue).
  await u.send("Mesin saya rusak, mohon bantuan");
  const after = Date.now();
  const fresh = (await ProcessedUpdate.find().lean()).filter((d) => !claims.has(d._id));
  expect(fresh).toHaveLength(1);
  expect(fresh[0].expireAt.getTime()).toBeGreaterThanOrEqual(before + PROCESSED_UPDATE_TTL_MS);
  expect(fresh[0].expireAt.getTime()).toBeLessThanOrEqual(after + PROCESSED_UPDATE_TTL_MS);
});

test("a dialogue answer delivered again does not reach the dialogue: the next question still takes the next answer", async () => {
  const h = new RecordingHarness();
  const u = h.user(61002);
  await registeredMember(u.id);
  await u.send(t("request.menu.produksi"));
  await GOOD.produksi.category(u, t);
  const productQuestion = u.lastText();
  const categoryPress = h.updates.at(-1)!;
  const stateBefore = await ConversationState.findById(String(u.id)).lean();

  expect(await h.redeliver(categoryPress)).toEqual([]);
  expect(u.lastText()).toBe(productQuestion);
  expect((await ConversationState.findById(String(u.id)).lean())?.data).toBe(stateBefore?.data);

  // The dialogue goes on from where it was.
  await GOOD.produksi.product(u, t);
  expect(u.lastText()).not.toBe(productQuestion);
});

test("two copies arriving at the same moment: one effect", async () => {
  const h = new RecordingHarness();
  // What one /start causes, for comparison.
  const single = seen(await h.user(61003).send("/start"));
  const template = h.updates.at(-1)!;
  const from = { ...template.message!.from!, id: 61004, first_name: "User61004" };
  const copy = {
    update_id: template.update_id + 100_000,
    message: { ...template.message!, message_id: 99, from, chat: { id: 61004, type: "private" as const, first_name: "User61004" } },
  };
  h.telegram.reset();
  // A fresh user's /start delivered twice at once (a webhook re-send racing the first delivery).
  await Promise.all([h.redeliver(copy), h.redeliver(copy)]);
  expect(seen(h.telegram.calls)).toEqual(single);
  expect((await ConversationState.findById("61004").lean())!.updates).toEqual([copy.update_id]);
});

test("claimUpdate: first true, then false; the purge deletes only expired ids", async () => {
  const past = new Date(Date.now() - PROCESSED_UPDATE_TTL_MS - 1000);
  expect(await claimUpdate(900001, past)).toBe(true);
  expect(await claimUpdate(900001, past)).toBe(false);
  expect(await claimUpdate(900002, new Date())).toBe(true);
  expect(await purgeExpiredUpdates(new Date())).toBe(1);
  expect((await ProcessedUpdate.find({}, { _id: 1 }).lean()).map((d) => d._id)).toEqual([900002]);
  // An expired id is free again (Telegram never re-sends after 24 hours).
  expect(await claimUpdate(900001, new Date())).toBe(true);
});

test("the expiry index: TTL where the server has it, a plain index for the purge otherwise", async () => {
  const info = await mongoose.connection.db!.admin().command({ buildInfo: 1 });
  const kind = await ensureProcessedUpdateIndex();
  expect(kind).toBe(info.ferretdbVersion ? "plain" : "ttl");
  const indexes = await ProcessedUpdate.collection.indexes();
  const index = indexes.find((i) => JSON.stringify(i.key) === JSON.stringify({ expireAt: 1 }));
  expect(index).toBeDefined();
  if (kind === "ttl") expect(index!.expireAfterSeconds).toBe(0);
  // Idempotent: a second start-up creates nothing new and does not fail.
  expect(await ensureProcessedUpdateIndex()).toBe(kind);
});

test("mid-dialogue, an update answered before the dialogues (a Jawab press) delivered twice: one prompt, one message ref, the dialogue untouched", async () => {
  const { h, made, sentraId } = await officerWorld();
  const m = await newMember(61010, { sentraId });
  const r = await newRequest(m, "kemasan");
  await h.drain();
  await messageMember(h, made, await cardMessageId(r.id), "Berapa gram per bungkus?");
  await h.drain();
  const member = h.user(61010);
  const question = lastBotMessage(h, 61010, /Berapa gram/);
  // A dialogue is open in the member's chat.
  await member.send("/profil");
  const state = await ConversationState.findById(String(member.id)).lean();
  expect(state).not.toBeNull();

  // The Jawab press, captured (with the update id the harness gave it) so it can be delivered again
  // exactly as it was.
  const fed: Update[] = [];
  const handleUpdate = h.bot.handleUpdate.bind(h.bot);
  h.bot.handleUpdate = (update, webhookReply) => {
    fed.push(update);
    return handleUpdate(update, webhookReply);
  };
  const processed = await ProcessedUpdate.countDocuments();
  await member.press("Jawab", { messageId: question.message_id });
  h.bot.handleUpdate = handleUpdate;
  const prompts = () => h.telegram.textsTo(61010).filter((x) => x.includes("jawaban untuk permohonan"));
  expect(prompts()).toHaveLength(1);
  const refs = await MessageRef.countDocuments({ chatId: 61010 });

  expect(fed).toHaveLength(1);
  expect(await h.handle(fed[0] as unknown as Record<string, unknown>)).toEqual([]);
  expect(prompts()).toHaveLength(1);
  expect(await MessageRef.countDocuments({ chatId: 61010 })).toBe(refs);
  // Claimed (it wrote a prompt), the dialogue's state untouched: same data, same idle clock.
  const after = await ConversationState.findById(String(member.id)).lean();
  expect(after!.data).toBe(state!.data);
  expect(after!.updatedAt).toEqual(state!.updatedAt);
  expect(await ProcessedUpdate.countDocuments({ _id: fed[0].update_id })).toBe(1);
  expect(await ProcessedUpdate.countDocuments()).toBe(processed + 1);
  // A new process (nothing in memory) stops the copy at its first write: still one prompt.
  h.restart();
  const again = await h.handle(fed[0] as unknown as Record<string, unknown>);
  expect(again.filter((c) => c.method !== "answerCallbackQuery")).toEqual([]);
  expect(prompts()).toHaveLength(1);
  expect(await MessageRef.countDocuments({ chatId: 61010 })).toBe(refs);
  // The dialogue goes on.
  await member.send("/batal");
  expect(member.lastText()).toBe(t("dialog.cancelled"));
});
