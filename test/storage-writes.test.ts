/**
 * What an update costs the database, counted with the driver's command monitoring, and that the
 * cheaper write path deduplicates as before: a dialogue step is one write (its state, with its
 * update id), an update that changes nothing writes nothing; the stored state keeps no copies of
 * the messages a button press carries; a re-delivered update — also to a new process, mid-dialogue,
 * a card action, a member's answer — doubles nothing; a transient refusal of the server
 * (SQLITE_BUSY) is retried inside the storage layer and the update goes through.
 * REPORT_FIGURES=1 prints the figures.
 */
import mongoose from "mongoose";
import type { Update } from "grammy/types";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { countCommands, type CommandCount } from "./helpers/commands";
import { RecordingHarness, registeredMember, GOOD, codeIn } from "./helpers/requests";
import { officerWorld, newMember, newRequest, cardMessageId, lastBotMessage, messageMember } from "./helpers/officers";
import type { Harness } from "./helpers/harness";
import { ConversationState } from "../src/db/models/conversation-state";
import { ProcessedUpdate } from "../src/db/models/processed-update";
import { Request } from "../src/db/models/request";
import { Outbox } from "../src/db/models/outbox";
import { injectCommandFault, onCommandRetry, isTransientRefusal, COMMAND_ATTEMPTS } from "../src/db/command-guard";
import { slimUpdate } from "../src/bot/slim-state";
import { tFor } from "../src/i18n";

useTestDatabase({ monitorCommands: true });
const t = tFor("id");

beforeEach(async () => {
  await clearDatabase();
});
afterEach(() => injectCommandFault(undefined));

const report = (label: string, value: unknown) => {
  if (process.env.REPORT_FIGURES) process.stdout.write(`[figures] ${label}: ${JSON.stringify(value)}\n`);
};
const writesOf = (c: CommandCount) => c.kinds.filter((k) => /^(insert|update|delete|findAndModify) /.test(k));

test("a dialogue step: one round trip, its one write; an idle update: no write; Kirim", async () => {
  const h = new RecordingHarness();
  const u = h.user(7701);
  await registeredMember(u.id);
  await u.send("/bantuan"); // the member's record and the empty dialogue state are cached from here

  const idle = [await countCommands(() => u.send(t("menu.help"))), await countCommands(() => u.send("/bantuan"))];
  report("idle update outside a dialogue (menu Bantuan, /bantuan)", idle);
  for (const c of idle) expect(c.writes).toBe(0);
  // One read: is the update a copy (before its first send)? The settings (office contact) are cached.
  for (const c of idle) expect(c.kinds).toEqual(["find processedupdates"]);

  const steps: CommandCount[] = [];
  const step = async (fn: () => Promise<unknown>) => void steps.push(await countCommands(fn));
  await step(() => u.send(t("request.menu.produksi")));
  await step(() => GOOD.produksi.category(u, t));
  await step(() => GOOD.produksi.product(u, t));
  await step(() => u.photo("w-photo-1"));
  await step(() => u.press(t("dialog.done")));
  // Mid-dialogue, /bantuan is answered by the dialogue guard; the dialogue does not change.
  const idleInDialogue = await countCommands(() => u.send("/bantuan"));
  await step(() => GOOD.produksi.description(u, t));
  await step(() => GOOD.produksi.urgency(u, t));
  report("dialogue steps (Kendala produksi, up to the summary)", steps);
  report("idle update mid-dialogue (/bantuan)", idleInDialogue);
  for (const s of steps) {
    expect(writesOf(s)).toEqual(["update conversationstates"]);
    expect(s.total).toBe(1);
    // One process: found by _id alone, the only filter FerretDB v1 passes to its backend (with more
    // fields beside it, each write scans every stored dialogue).
    expect(s.updateFilters).toEqual(["conversationstates: _id"]);
  }
  expect(idleInDialogue.writes).toBe(0);

  const kirim = await countCommands(() => u.press(t("request.send")));
  report("Kirim", kirim);
  expect(await Request.countDocuments()).toBe(1);
  // The claim is made once (before the request is saved), and the dialogue's delete does not make it again.
  expect(kirim.kinds.filter((k) => k === "insert processedupdates")).toHaveLength(1);
  expect(kirim.kinds.filter((k) => k.endsWith(" conversationstates"))).toEqual(["delete conversationstates"]);
  expect(kirim.writes).toBeLessThanOrEqual(8);
});

/** The BSON size of the chat's stored dialogue state. */
async function stateBytes(chatId: number): Promise<number> {
  const doc = await mongoose.connection.db!.collection<{ _id: string }>("conversationstates").findOne({ _id: String(chatId) });
  return doc ? mongoose.mongo.BSON.calculateObjectSize(doc) : 0;
}

test("the stored state keeps of a button press only the id and chat of the message it was on, and still replays", async () => {
  const h = new RecordingHarness();
  const u = h.user(7702);
  await registeredMember(u.id);
  await u.send(t("request.menu.produksi"));
  const sizes = [await stateBytes(u.id)];
  for (const answer of [GOOD.produksi.category, GOOD.produksi.product, GOOD.produksi.photos, GOOD.produksi.description, GOOD.produksi.urgency]) {
    await answer(u, t);
    sizes.push(await stateBytes(u.id));
  }
  report("bytes of the stored state after each answer (harness presses carry their message, as Telegram's do)", sizes);
  const data = (await ConversationState.findById(String(u.id)).lean())!.data;
  // The presses' messages (question texts, inline keyboards) are not in it.
  expect(data).not.toContain("inline_keyboard");
  expect(data).not.toContain(t("request.opt.bahan_baku"));
  expect(sizes.at(-1)).toBeLessThan(9_000);

  // What slimUpdate drops, and what it keeps.
  const press = {
    update_id: 1,
    callback_query: {
      id: "q",
      from: { id: 5, is_bot: false, first_name: "A" },
      chat_instance: "c",
      data: "c:0",
      message: {
        message_id: 9,
        date: 2,
        chat: { id: 5, type: "private", first_name: "A" },
        text: "Pertanyaan?",
        reply_markup: { inline_keyboard: [[{ text: "Ya", callback_data: "c:0" }]] },
      },
    },
  };
  expect(slimUpdate(press)).toEqual({ ...press, callback_query: { ...press.callback_query, message: { message_id: 9, date: 2, chat: { id: 5, type: "private" } } } });
  expect(press.callback_query.message.text).toBe("Pertanyaan?"); // the input is left as it was

  // A new process replays the slim state and finishes the dialogue.
  h.restart();
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.answers.description).toBe("Minyak goreng langka, harganya naik dua kali lipat.");
});

/** The updates fed to the bot while `fn` runs (to deliver one again exactly as it was). */
async function captured(h: Harness, fn: () => Promise<unknown>): Promise<Update[]> {
  const fed: Update[] = [];
  const handleUpdate = h.bot.handleUpdate.bind(h.bot);
  h.bot.handleUpdate = (update, webhookReply) => {
    fed.push(update);
    return handleUpdate(update, webhookReply);
  };
  try {
    await fn();
  } finally {
    h.bot.handleUpdate = handleUpdate;
  }
  return fed;
}

test("re-delivered to a new process mid-dialogue: a photo is counted once, Kirim saves one request and queues one alert", async () => {
  const h = new RecordingHarness();
  const u = h.user(7703);
  await registeredMember(u.id);
  await u.send(t("request.menu.produksi"));
  await GOOD.produksi.category(u, t);
  await GOOD.produksi.product(u, t);
  await u.photo("re-photo-1");
  const photo = h.updates.at(-1)!;
  h.restart();
  expect(await h.redeliver(photo)).toEqual([]);
  await u.press(t("dialog.done"));
  await GOOD.produksi.description(u, t);
  await GOOD.produksi.urgency(u, t);
  await u.press(t("request.send"));
  const kirim = h.updates.at(-1)!;
  const outbox = await Outbox.countDocuments();
  const claims = await ProcessedUpdate.countDocuments();
  for (const again of [() => h.redeliver(kirim), () => (h.restart(), h.redeliver(kirim))]) {
    const calls = await again();
    expect(calls.filter((c) => c.method !== "answerCallbackQuery")).toEqual([]);
  }
  expect(await Request.countDocuments()).toBe(1);
  expect((await Request.findOne().lean())!.attachments.map((a) => a.fileId)).toEqual(["re-photo-1"]);
  expect(await Outbox.countDocuments()).toBe(outbox);
  expect(await ProcessedUpdate.countDocuments()).toBe(claims);
});

test("re-delivered to a new process: a card action and a member's answer are applied once", async () => {
  const { h, made, sentraId } = await officerWorld();
  const m = await newMember(7704, { sentraId });
  const r = await newRequest(m, "kemasan");
  await h.drain();
  const cardId = await cardMessageId(r.id);
  const [take] = await captured(h, () => made.press("Ambil", { messageId: cardId }));
  await messageMember(h, made, cardId, "Berapa gram per bungkus?");
  await h.drain();
  const member = h.user(7704);
  const question = lastBotMessage(h, 7704, /Berapa gram/);
  const [answer] = await captured(h, () => member.send("Seratus gram.", { replyTo: question.message_id }));
  await h.drain();
  const timeline = async () => (await Request.findById(r.id).lean())!.timeline.map((e) => e.kind);
  const before = { timeline: await timeline(), outbox: await Outbox.countDocuments() };

  h.restart();
  const calls = h.telegram.calls.length;
  for (const update of [take, answer]) await h.bot.handleUpdate(update);
  await h.drain();
  // Not a word either (a toast answering the press aside).
  expect(h.telegram.calls.slice(calls).filter((c) => c.method !== "answerCallbackQuery")).toEqual([]);
  expect(await timeline()).toEqual(before.timeline);
  expect(await Outbox.countDocuments()).toBe(before.outbox);
});

/** What FerretDB (SQLite backend) answers when its single writer is busy. */
const busy = () =>
  new mongoose.mongo.MongoServerError({
    ok: 0,
    code: 1,
    codeName: "InternalError",
    errmsg: "[msg_update.go:133 handler.(*Handler).updateDocument] [collection.go:135 sqlite.(*collection).InsertAll.func1] database is locked (5) (SQLITE_BUSY)",
  });

test("SQLITE_BUSY is retried inside the storage layer: the dialogue step and the claim go through, once", async () => {
  const h = new RecordingHarness();
  const u = h.user(7705);
  await registeredMember(u.id);
  await u.send(t("request.menu.produksi"));
  const retries: string[] = [];
  const off = onCommandRetry((r) => retries.push(`${r.command} ${r.collection} #${r.attempt}`));
  try {
    // The state's write refused twice, then accepted.
    let refusals = 2;
    injectCommandFault((command, collection) => {
      if (command === "updateOne" && collection === "conversationstates" && refusals-- > 0) throw busy();
    });
    const before = (await ConversationState.findById(String(u.id)).lean())!.data;
    await GOOD.produksi.category(u, t);
    expect((await ConversationState.findById(String(u.id)).lean())!.data).not.toBe(before);
    expect(retries).toEqual(["updateOne conversationstates #1", "updateOne conversationstates #2"]);
    expect((await ConversationState.findById(String(u.id)).lean())!.updates).toContain(h.updates.at(-1)!.update_id);

    // The claim refused once (at Kirim, the first write outside the dialogue).
    await GOOD.produksi.product(u, t);
    await GOOD.produksi.photos(u, t);
    await GOOD.produksi.description(u, t);
    await GOOD.produksi.urgency(u, t);
    let claimRefusals = 1;
    injectCommandFault((command, collection) => {
      if (command === "insertOne" && collection === "processedupdates" && claimRefusals-- > 0) throw busy();
    });
    await u.press(t("request.send"));
    expect(retries.at(-1)).toBe("insertOne processedupdates #1");
    expect(await Request.countDocuments()).toBe(1);
    expect(await ProcessedUpdate.countDocuments({ _id: h.updates.at(-1)!.update_id })).toBe(1);
  } finally {
    off();
  }
});

test("retries are bounded and only for refusals that applied nothing", async () => {
  let attempts = 0;
  injectCommandFault((_command, collection) => {
    if (collection === "scratch") {
      attempts++;
      throw busy();
    }
  });
  const started = Date.now();
  await expect(mongoose.connection.db!.collection("scratch").updateOne({ _id: 1 as never }, { $set: { value: 1 } }, { upsert: true })).rejects.toThrow(/SQLITE_BUSY/);
  expect(attempts).toBe(COMMAND_ATTEMPTS);
  expect(Date.now() - started).toBeLessThan(1_000);
  injectCommandFault(undefined);

  expect(isTransientRefusal(busy())).toBe(true);
  expect(isTransientRefusal(Object.assign(new Error("write conflict"), { name: "MongoServerError", code: 112 }))).toBe(true);
  expect(isTransientRefusal(Object.assign(new Error("not primary"), { name: "MongoServerError", errorLabels: ["RetryableWriteError"] }))).toBe(true);
  // Not applied for sure? A lost connection may have written: the whole update is retried instead.
  expect(isTransientRefusal(Object.assign(new Error("connection closed"), { name: "MongoNetworkError", errorLabels: ["RetryableWriteError"] }))).toBe(false);
  expect(isTransientRefusal(Object.assign(new Error("E11000 duplicate key"), { name: "MongoServerError", code: 11000 }))).toBe(false);
});
