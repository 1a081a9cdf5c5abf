/**
 * The read caches that keep an update at one database round trip: the member record and the
 * dialogue state. A write through mongoose is seen at once; what only the cache knows is proven
 * by changing the database behind its back (raw driver), which the cache then does not see.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Member } from "../src/db/models/member";
import { ConversationState } from "../src/db/models/conversation-state";
import { findMemberCached, registerMember, setMemberLocale } from "../src/domain/members";
import type { Context } from "grammy";
import type { ConversationData, VersionedStateStorage } from "@grammyjs/conversations";
import { createConversationStore } from "../src/bot/conversation-storage";
import { ProcessedUpdate } from "../src/db/models/processed-update";
import { ReadCache, invalidateReadCaches } from "../src/lib/read-cache";

useTestDatabase();

beforeEach(async () => {
  await clearDatabase();
});

const registration = {
  name: "Ni Made Sari",
  phone: "+6281111111111",
  businessName: "Sari Rasa",
  products: "keripik",
  kecamatan: "Mengwi" as const,
  sentraId: null,
  sentraWish: "later" as const,
};

test("member cache: served from memory, and every kind of mongoose write empties it", async () => {
  expect(await findMemberCached(64001)).toBeNull();
  // Behind the cache's back: still "unknown".
  await Member.collection.insertOne({ telegramId: 64001, locale: "en" });
  expect(await findMemberCached(64001)).toBeNull();
  invalidateReadCaches();
  expect((await findMemberCached(64001))?.locale).toBe("en");

  // updateOne (upsert)
  await setMemberLocale(64001, "id");
  expect((await findMemberCached(64001))?.locale).toBe("id");
  // findOneAndUpdate
  await registerMember(64001, registration, new Date(), "id");
  expect((await findMemberCached(64001))?.name).toBe("Ni Made Sari");
  // updateMany
  await Member.updateMany({}, { $set: { name: "Sari" } });
  expect((await findMemberCached(64001))?.name).toBe("Sari");
  // create (save) and insertMany
  expect(await findMemberCached(64002)).toBeNull();
  await Member.create({ telegramId: 64002 });
  expect(await findMemberCached(64002)).not.toBeNull();
  expect(await findMemberCached(64003)).toBeNull();
  await Member.insertMany([{ telegramId: 64003 }]);
  expect(await findMemberCached(64003)).not.toBeNull();
  // deleteMany / deleteOne
  await Member.deleteOne({ telegramId: 64003 });
  expect(await findMemberCached(64003)).toBeNull();
  await Member.deleteMany({});
  expect(await findMemberCached(64001)).toBeNull();
});

test("member cache: callers get copies", async () => {
  await registerMember(64004, registration, new Date(), "id");
  const a = await findMemberCached(64004);
  a!.name = "changed by a caller";
  expect((await findMemberCached(64004))?.name).toBe("Ni Made Sari");
});

type Adapter = VersionedStateStorage<Context, ConversationData>;
const ctx = (chat: number, update_id: number) => ({ chatId: chat, update: { update_id } }) as unknown as Context;
const adapterOf = (store: ReturnType<typeof createConversationStore>) => (store.storage as unknown as { adapter: Adapter }).adapter;

test("dialogue-state cache: write-through, read from memory, fresh after a restart (new store)", async () => {
  const store = createConversationStore();
  const storage = adapterOf(store);
  const state = { version: [0, 1] as [0, number], state: { onboarding: [] } };
  expect(await storage.read(ctx(64005, 1))).toBeUndefined();
  await storage.write(ctx(64005, 2), state as never);
  expect(JSON.parse((await ConversationState.findById("64005").lean())!.data)).toEqual(state);
  // Behind its back: this store keeps answering from memory …
  await ConversationState.collection.updateOne({ _id: "64005" as never }, { $set: { data: JSON.stringify({ ...state, changed: true }) } });
  expect(await storage.read(ctx(64005, 3))).toEqual(state);
  // … a new process (a new store) reads the database.
  expect(await adapterOf(createConversationStore()).read(ctx(64005, 3))).toMatchObject({ changed: true });
  // Reads return copies: the plugin mutates what it read.
  const read = (await storage.read(ctx(64005, 4))) as unknown as { state: Record<string, unknown> };
  read.state.mutated = true;
  expect(await storage.read(ctx(64005, 5))).toEqual(state);
  await storage.delete(ctx(64005, 6));
  expect(await ConversationState.countDocuments()).toBe(0);
  expect(await storage.read(ctx(64005, 7))).toBeUndefined();
  // Without the cache every read goes to the database.
  const uncached = adapterOf(createConversationStore({ cache: false }));
  await ConversationState.collection.insertOne({ _id: "64006" as never, data: JSON.stringify(state) });
  expect(await uncached.read(ctx(64006, 8))).toEqual(state);
});

test("update ids kept with the dialogue state: a copy is recognised without another round trip; the last update is recorded when the dialogue ends", async () => {
  const store = createConversationStore();
  const storage = adapterOf(store);
  const state = { version: [0, 1] as [0, number], state: { request_produksi: [] } };
  expect(await store.seen(ctx(64007, 100))).toBe("unknown");
  await storage.write(ctx(64007, 100), state as never);
  await storage.write(ctx(64007, 101), state as never);
  expect((await ConversationState.findById("64007").lean())?.updates).toEqual([100, 101]);
  expect(await store.seen(ctx(64007, 101))).toBe("duplicate");
  expect(await store.seen(ctx(64007, 100))).toBe("duplicate");
  expect(await store.seen(ctx(64007, 102))).toBe("new-in-dialogue");
  // Older than what the state knows: the caller asks the processed-updates collection.
  expect(await store.seen(ctx(64007, 99))).toBe("unknown");
  // A new process knows it from the database.
  expect(await createConversationStore().seen(ctx(64007, 101))).toBe("duplicate");
  const ending = ctx(64007, 102);
  await storage.delete(ending);
  expect(store.recorded(ending)).toBe(true);
  expect(await ProcessedUpdate.countDocuments({ _id: 102 })).toBe(1);
});

test("ReadCache: least recently used goes first, entries expire, a read that raced a write is not kept", () => {
  let now = 0;
  let version = 0;
  const cache = new ReadCache<string, number>({ max: 2, ttlMs: 100, now: () => now, version: () => version });
  cache.set("a", 1);
  cache.set("b", 2);
  cache.get("a");
  cache.set("c", 3);
  expect([cache.get("a")?.value, cache.get("b"), cache.get("c")?.value]).toEqual([1, undefined, 3]);
  now = 101;
  expect(cache.get("a")).toBeUndefined();
  const stamp = cache.stamp();
  version++; // a write happened while the database was being read
  cache.set("d", 4, stamp);
  expect(cache.get("d")).toBeUndefined();
  cache.set("d", 4);
  expect(cache.get("d")?.value).toBe(4);
  version++;
  expect(cache.get("d")).toBeUndefined();
});
