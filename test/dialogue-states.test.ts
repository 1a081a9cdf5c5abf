/**
 * Abandoned dialogue states (typed answers, a shared phone number) are deleted by the periodic
 * purge after DIALOGUE_STATE_RETENTION_MS, also when the member never writes again; fresher ones,
 * and the 24-hour notice within that window, stay.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { ConversationState } from "../src/db/models/conversation-state";
import { DIALOGUE_IDLE_MS, DIALOGUE_STATE_RETENTION_MS, isDialogueIdle, purgeAbandonedDialogues } from "../src/domain/dialogue-states";
import { createConversationStore } from "../src/bot/conversation-storage";
import { Member } from "../src/db/models/member";
import { purgeIdleGuests } from "../src/domain/privacy";
import type { Context } from "grammy";

useTestDatabase();

beforeEach(async () => {
  await clearDatabase();
});

const ctx = (chatId: number, updateId: number) => ({ chatId, update: { update_id: updateId } }) as unknown as Context;

test("the purge deletes the states idle for more than 30 days, and only those", async () => {
  const now = new Date();
  const at = (ms: number) => new Date(now.getTime() - ms);
  await ConversationState.collection.insertMany([
    { _id: "1" as never, data: "{}", updatedAt: at(DIALOGUE_STATE_RETENTION_MS + 60_000) },
    { _id: "2" as never, data: "{}", updatedAt: at(DIALOGUE_STATE_RETENTION_MS - 60_000) },
    { _id: "3" as never, data: "{}", updatedAt: at(DIALOGUE_IDLE_MS + 60_000) },
  ]);
  // A state the store writes now carries its time too.
  const store = createConversationStore();
  const adapter = (store.storage as unknown as { adapter: { write(c: Context, s: unknown): Promise<void> } }).adapter;
  await adapter.write(ctx(4, 1), { version: [0, 1], state: { onboarding: [] } });

  expect(await purgeAbandonedDialogues(now)).toBe(1);
  expect((await ConversationState.find({}, { _id: 1 }).lean()).map((d) => d._id).sort()).toEqual(["2", "3", "4"]);
  // Thirty days later the store's state goes too.
  expect(await purgeAbandonedDialogues(new Date(Date.now() + DIALOGUE_STATE_RETENTION_MS + 1000))).toBe(3);
  expect(await ConversationState.countDocuments()).toBe(0);
});

test("idle means more than 24 hours, and the purge keeps a state well past that (the member is still told)", () => {
  expect(isDialogueIdle(0, DIALOGUE_IDLE_MS)).toBe(false);
  expect(isDialogueIdle(0, DIALOGUE_IDLE_MS + 1)).toBe(true);
  expect(DIALOGUE_STATE_RETENTION_MS).toBeGreaterThanOrEqual(30 * DIALOGUE_IDLE_MS);
});

test("a guest's language-only record goes after 30 days without a registration; registered members and guests in a dialogue stay", async () => {
  const now = new Date();
  const old = new Date(now.getTime() - DIALOGUE_STATE_RETENTION_MS - 60_000);
  await Member.collection.insertMany([
    { telegramId: 5001, locale: "en", updatedAt: old },
    { telegramId: 5002, locale: "en", updatedAt: now },
    { telegramId: 5003, locale: "en", updatedAt: old },
    { telegramId: 5004, locale: "id", name: "Ni Made", registeredAt: old, consentAt: old, updatedAt: old },
  ]);
  // 5003 is registering right now.
  await ConversationState.collection.insertOne({ _id: "5003" as never, data: "{}", updatedAt: now });
  expect(await purgeIdleGuests(now)).toBe(1);
  expect((await Member.find({}, { telegramId: 1 }).lean()).map((m) => m.telegramId).sort()).toEqual([5002, 5003, 5004]);
  expect(await purgeIdleGuests(now)).toBe(0);
});
