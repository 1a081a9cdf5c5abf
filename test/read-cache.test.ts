/**
 * The read caches that keep an update at one database round trip: the member record and the
 * dialogue state. A write through mongoose is seen at once; what only the cache knows is proven
 * by changing the database behind its back (raw driver), which the cache then does not see.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Member } from "../src/db/models/member";
import { ConversationState } from "../src/db/models/conversation-state";
import { findMemberCached, registerMember, setMemberLocale } from "../src/domain/members";
import { mongoConversationStorage } from "../src/bot/conversation-storage";
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

test("dialogue-state cache: write-through, read from memory, fresh after a restart (new storage)", async () => {
  const storage = mongoConversationStorage();
  const state = { version: [0, 1] as [0, number], state: { onboarding: [] } };
  expect(await storage.read("64005")).toBeUndefined();
  await storage.write("64005", state as never);
  expect(JSON.parse((await ConversationState.findById("64005").lean())!.data)).toEqual(state);
  // Behind its back: this storage keeps answering from memory …
  await ConversationState.collection.updateOne({ _id: "64005" as never }, { $set: { data: JSON.stringify({ ...state, changed: true }) } });
  expect(await storage.read("64005")).toEqual(state);
  // … a new process (a new storage) reads the database.
  expect(await mongoConversationStorage().read("64005")).toMatchObject({ changed: true });
  // Reads return copies: the plugin mutates what it read.
  const read = (await storage.read("64005")) as unknown as { state: Record<string, unknown> };
  read.state.mutated = true;
  expect(await storage.read("64005")).toEqual(state);
  await storage.delete("64005");
  expect(await ConversationState.countDocuments()).toBe(0);
  expect(await storage.read("64005")).toBeUndefined();
  // Without the cache every read goes to the database.
  const uncached = mongoConversationStorage({ cache: false });
  await ConversationState.collection.insertOne({ _id: "64006" as never, data: JSON.stringify(state) });
  expect(await uncached.read("64006")).toEqual(state);
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
