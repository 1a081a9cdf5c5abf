/**
 * The database goes away while an officer writes in the group: the message cannot be stored, so the
 * officer is told in the group (a reply to their message) to send it again, and nothing claims the
 * update as done — when it comes again (Telegram re-sends it, or main.ts tries it again) it is
 * stored once. Below it, the claim an update took is given back when its handling lost the database.
 */
import mongoose from "mongoose";
import type { Update } from "grammy/types";
import { Api, Context, type BotError } from "grammy";
import { createConversationStore } from "../src/bot/conversation-storage";
import { idempotency } from "../src/bot/middlewares/idempotency";
import { BOT_INFO, silentLogger } from "./helpers/harness";
import { useTestDatabase } from "./helpers/db";
import { officerWorld, newMember, newRequest, cardMessageId, GROUP } from "./helpers/officers";
import { Request } from "../src/db/models/request";
import { ProcessedUpdate } from "../src/db/models/processed-update";
import { isDatabaseUnavailable } from "../src/db/availability";
import type { BotContext } from "../src/bot/context";
import { tFor } from "../src/i18n";

const db = useTestDatabase();
const t = tFor("id");

test("an officer's reply while the database is away: told in the group, then stored once when it comes again", async () => {
  const { h } = await officerWorld();
  const member = await newMember(75001);
  const r = await newRequest(member, "kemasan");
  await h.deliver();
  const card = await cardMessageId(r.id);
  const officer = { id: 9101, is_bot: false, first_name: "Made", language_code: "id" };
  const update = {
    update_id: 880_001,
    message: {
      message_id: 55_001,
      date: Math.floor(Date.now() / 1000),
      chat: { id: GROUP, type: "supergroup", title: "Petugas Diskop" },
      from: officer,
      text: "Bu, ukuran kemasannya berapa gram?",
      reply_to_message: h.telegram.messages.get(`${GROUP}:${card}`),
    },
  } as unknown as Update;

  // The database goes away (mongoose buffers, then gives up: shortened here).
  const uri = process.env.MONGODB_TEST_URI!;
  mongoose.set("bufferTimeoutMS", 300);
  await mongoose.connection.close();
  try {
    const before = h.telegram.calls.length;
    const err = await h.bot.handleUpdate(update).then(
      () => null,
      (e: unknown) => e as BotError<BotContext>,
    );
    expect(err).not.toBeNull();
    expect(isDatabaseUnavailable(err)).toBe(true);
    // What the runner and the webhook server do with an update that failed for good.
    await h.bot.errorHandler(err!);
    const notice = h.telegram.calls.slice(before).find((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === GROUP);
    expect(notice?.payload.text).toBe(t("errors.group_not_recorded"));
    expect(notice?.payload.reply_parameters).toMatchObject({ message_id: 55_001 });
  } finally {
    mongoose.set("bufferTimeoutMS", 10_000);
    await mongoose.connect(uri, { dbName: db.name });
  }

  expect((await Request.findById(r.id).lean())!.timeline.some((e) => e.note === "Bu, ukuran kemasannya berapa gram?")).toBe(false);
  // It comes again: not a duplicate, stored once; a third copy changes nothing.
  await h.bot.handleUpdate(update);
  await h.bot.handleUpdate(update);
  const timeline = (await Request.findById(r.id).lean())!.timeline;
  expect(timeline.filter((e) => e.note === "Bu, ukuran kemasannya berapa gram?")).toHaveLength(1);
  expect(await ProcessedUpdate.countDocuments({ _id: 880_001 })).toBe(1);
});

test("isDatabaseUnavailable tells an absent database from a refused write", () => {
  expect(isDatabaseUnavailable(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:27017"), { name: "MongoServerSelectionError" }))).toBe(true);
  expect(isDatabaseUnavailable(new Error("Operation `requests.findOne()` buffering timed out after 10000ms"))).toBe(true);
  expect(isDatabaseUnavailable({ error: Object.assign(new Error("x"), { name: "MongoNetworkError" }) })).toBe(true);
  expect(isDatabaseUnavailable(Object.assign(new Error("E11000 duplicate key error"), { name: "MongoServerError", code: 11000 }))).toBe(false);
  expect(isDatabaseUnavailable(new TypeError("cannot read properties of undefined"))).toBe(false);
  // The driver's own socket failing, as the webhook test meets it; a Bot API call's network error is not the database.
  const epipe = Object.assign(new Error("This socket has been ended by the other party"), {
    code: "EPIPE",
    stack: "Error: This socket has been ended\n    at Connection.writeCommand (/app/node_modules/mongodb/lib/cmap/connection.js:1:1)",
  });
  expect(isDatabaseUnavailable(epipe)).toBe(true);
  const telegram = Object.assign(new Error("read ECONNRESET"), {
    code: "ECONNRESET",
    stack: "Error: read ECONNRESET\n    at TLSWrap.onStreamRead (node:internal/stream_base_commons:217:20)",
  });
  expect(isDatabaseUnavailable({ error: new TypeError("fetch failed", { cause: telegram }) })).toBe(false);
});

test("a claimed update whose handling lost the database is released: its next copy is processed, once", async () => {
  const store = createConversationStore({ cache: false });
  const guard = idempotency(store, silentLogger);
  const ctx = new Context(
    { update_id: 880_101, message: { message_id: 1, date: 0, chat: { id: 75101, type: "private", first_name: "A" }, text: "x" } } as Update,
    new Api("1:x"),
    BOT_INFO,
  ) as BotContext;
  // An effect outside any dialogue: the update is claimed right before it.
  const effects = () => mongoose.connection.db!.collection("effects");
  const effect = async () => void (await effects().insertOne({ update: 880_101 }));
  const dropped = Object.assign(new Error("connection 3 to 127.0.0.1:27017 closed"), { name: "MongoNetworkError" });
  // The claim is written, then the handler loses the database.
  await expect(
    guard(ctx, async () => {
      await effect();
      throw dropped;
    }),
  ).rejects.toBe(dropped);
  expect(await ProcessedUpdate.countDocuments({ _id: 880_101 })).toBe(0);
  await effects().deleteMany({});
  await guard(ctx, effect);
  // A copy in a new process (a new middleware: nothing in memory) is stopped at its first write.
  await idempotency(store, silentLogger)(ctx, effect);
  expect(await effects().countDocuments()).toBe(1);
  expect(await ProcessedUpdate.countDocuments({ _id: 880_101 })).toBe(1);
  // Any other failure keeps the claim: a copy of an update that failed for a bug is not run again.
  const other = new Context({ ...ctx.update, update_id: 880_102 } as Update, new Api("1:x"), BOT_INFO) as BotContext;
  await expect(
    guard(other, async () => {
      await effect();
      throw new TypeError("bug");
    }),
  ).rejects.toThrow("bug");
  await idempotency(store, silentLogger)(other, effect);
  expect(await effects().countDocuments()).toBe(2);
});
