/**
 * A Bot API call that fails for good inside a dialogue (after the client's retries) never ends the
 * dialogue: the answers so far stay in the stored state, the member's next message gets the question
 * that did not arrive, and the request is saved with every answer. At Kirim the request is saved
 * first; a confirmation Telegram refused reaches the member later, through the outbox.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, type ApiCall } from "./helpers/harness";
import { registeredMember, GOOD, EXPECTED, fillSteps, codeIn, receiptText } from "./helpers/requests";
import { Request } from "../src/db/models/request";
import { ConversationState } from "../src/db/models/conversation-state";
import { Outbox } from "../src/db/models/outbox";
import { RETRY_LIMITS } from "../src/bot/retrying-fetch";
import * as workflow from "../src/domain/workflow";
import { isDatabaseUnavailable } from "../src/db/availability";
import type { Update } from "grammy/types";
import { tFor } from "../src/i18n";

useTestDatabase();
const t = tFor("id");
/** Telegram asks for a longer wait than the client waits: not retried, the call fails at once. */
const longWait = { kind: "http", error_code: 429, description: "Too Many Requests: retry after 60", retry_after: 60 } as const;

beforeEach(async () => {
  await clearDatabase();
});

test("a question Telegram refused: the dialogue stays, the next message asks it again, nothing is lost", async () => {
  const h = new Harness();
  const u = h.user(64001);
  await registeredMember(u.id);
  await u.send(t("request.menu.produksi"));
  await GOOD.produksi.category(u, t);
  await GOOD.produksi.product(u, t);
  await GOOD.produksi.photos(u, t);
  const descriptionQuestion = u.lastText();
  const statesBefore = await ConversationState.countDocuments();
  expect(statesBefore).toBe(1);

  // The answer to the description is taken, but the next question ("since when") does not arrive.
  h.telegram.fail("sendMessage", longWait, 1, u.id);
  const calls = (await GOOD.produksi.description(u, t)) as ApiCall[];
  expect(calls.filter((c) => c.failed).map((c) => c.method)).toEqual(["sendMessage"]);
  const lost = String(calls.find((c) => c.failed)!.payload.text);
  expect(lost).not.toBe(descriptionQuestion);
  expect(u.texts()).not.toContain(t("errors.internal"));
  expect(await ConversationState.countDocuments()).toBe(1);

  // "Halo?": not an answer to a question the member never saw; the question comes again.
  await u.send("Halo? Kok diam?");
  expect(u.lastText()).toBe(lost);
  await GOOD.produksi.urgency(u, t);
  await u.press(t("request.send"));
  const code = codeIn(u.lastText());
  const saved = await Request.findOne({ code }).lean();
  // Every answer, the description included, and not "Halo?".
  expect(saved!.answers).toEqual(EXPECTED.produksi.answers);
  expect(await Request.countDocuments()).toBe(1);
});

test("a question lost to network errors after every retry: the same, and the update does not fail", async () => {
  const h = new Harness();
  const u = h.user(64002);
  await registeredMember(u.id);
  await u.send(t("request.menu.produksi"));
  await GOOD.produksi.category(u, t);
  const productQuestion = u.lastText();
  h.telegram.fail("sendMessage", { kind: "network" }, RETRY_LIMITS.networkAttempts + 1, u.id);
  // Resolves (no BotError): the runner and the webhook see a handled update.
  const calls = (await GOOD.produksi.product(u, t)) as ApiCall[];
  const failed = calls.filter((c) => c.method === "sendMessage" && c.failed);
  expect(failed).toHaveLength(RETRY_LIMITS.networkAttempts + 1);
  // The product question got its answer marked; the next one never came.
  expect(u.lastText().startsWith(productQuestion)).toBe(true);
  expect(await ConversationState.countDocuments()).toBe(1);
  await u.send("?");
  expect(u.lastText()).toBe(String(failed[0].payload.text));
  await GOOD.produksi.photos(u, t);
  await GOOD.produksi.description(u, t);
  await GOOD.produksi.urgency(u, t);
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.answers).toEqual(EXPECTED.produksi.answers);
});

test("the toast of a valid button fails: the choice counts and the dialogue goes on", async () => {
  const h = new Harness();
  const u = h.user(64003);
  await registeredMember(u.id);
  await u.send(t("request.menu.produksi"));
  h.telegram.fail("answerCallbackQuery", longWait, 1, undefined);
  const calls = (await GOOD.produksi.category(u, t)) as ApiCall[];
  expect(calls.filter((c) => c.failed).map((c) => c.method)).toEqual(["answerCallbackQuery"]);
  await GOOD.produksi.product(u, t);
  await GOOD.produksi.photos(u, t);
  await GOOD.produksi.description(u, t);
  await GOOD.produksi.urgency(u, t);
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.answers).toEqual(EXPECTED.produksi.answers);
});

test("at Kirim the confirmation is refused: the request is saved once and the code arrives through the outbox", async () => {
  const h = new Harness();
  const u = h.user(64004);
  await registeredMember(u.id);
  await u.send("/pemasaran");
  await fillSteps(u, "pemasaran");
  h.telegram.fail("sendMessage", longWait, 1, u.id);
  const calls = await u.press(t("request.send"));
  expect(calls.filter((c) => c.failed).map((c) => c.method)).toEqual(["sendMessage"]);
  expect(await Request.countDocuments()).toBe(1);
  const saved = (await Request.findOne().lean())!;
  expect(saved.answers).toEqual(EXPECTED.pemasaran.answers);
  expect(await ConversationState.countDocuments()).toBe(0);
  const expected = await receiptText("pemasaran", saved.code);
  expect(u.texts()).not.toContain(expected);
  expect(await Outbox.countDocuments({ chatId: u.id, status: "pending" })).toBe(1);

  await h.deliver();
  expect(u.lastText()).toBe(expected);
  expect(await Outbox.countDocuments({ chatId: u.id, status: "pending" })).toBe(0);
  expect(await Request.countDocuments()).toBe(1);
});

test("the database drops out at Kirim and is back a moment later: the dialogue is kept, and the same press saves it once", async () => {
  const h = new Harness();
  const u = h.user(64005);
  await registeredMember(u.id);
  await u.send("/pemasaran");
  await fillSteps(u, "pemasaran");
  const button = u.findButton(t("request.send"))!;
  const stored = await ConversationState.findById(String(u.id)).lean();
  expect(stored).not.toBeNull();
  // The save meets an absent database (as a driver reports it); the database is back at once after,
  // so the plugin's own clean-up of the failed dialogue would reach it.
  const dropped = Object.assign(new Error("connection 3 to 127.0.0.1:27017 closed"), { name: "MongoNetworkError" });
  const spy = jest.spyOn(workflow, "submitRequest").mockRejectedValueOnce(dropped);
  const kirim = {
    update_id: 990_001,
    callback_query: {
      id: "cq-kirim",
      from: { id: u.id, is_bot: false, first_name: "Ayu", language_code: "id" },
      chat_instance: `ci${u.id}`,
      data: button.data,
      message: h.telegram.messages.get(`${u.id}:${button.messageId}`),
    },
  } as unknown as Update;
  const err = await h.bot.handleUpdate(kirim).then(
    () => null,
    (e: unknown) => e,
  );
  spy.mockRestore();
  expect(isDatabaseUnavailable(err)).toBe(true);
  expect(await Request.countDocuments()).toBe(0);
  // The stored dialogue is as it was before the press.
  expect(await ConversationState.findById(String(u.id)).lean()).toMatchObject({ data: stored!.data });

  // The same update again (main.ts retries it; after a 503 Telegram re-sends it): saved, once.
  await h.bot.handleUpdate(kirim);
  await h.bot.handleUpdate(kirim);
  const saved = await Request.find().lean();
  expect(saved).toHaveLength(1);
  expect(saved[0].answers).toEqual(EXPECTED.pemasaran.answers);
  expect(u.lastText()).toBe(await receiptText("pemasaran", saved[0].code));
});
