/**
 * The read caches that keep an update at one database round trip: the member record, the
 * dialogue state, officers, sentras, open answer prompts and the last tracking number. A write
 * through mongoose is seen at once; what only the cache knows is proven by changing the database
 * behind its back (raw driver), which the cache then does not see.
 */
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Member } from "../src/db/models/member";
import { ConversationState } from "../src/db/models/conversation-state";
import { findMemberCached, registerMember, setMemberLocale } from "../src/domain/members";
import type { Context } from "grammy";
import type { ConversationData, VersionedStateStorage } from "@grammyjs/conversations";
import { createConversationStore } from "../src/bot/conversation-storage";
import { ProcessedUpdate } from "../src/db/models/processed-update";
import { ReadCache, invalidateReadCaches } from "../src/lib/read-cache";
import { Types } from "mongoose";
import { Officer } from "../src/db/models/officer";
import { Sentra } from "../src/db/models/sentra";
import { MessageRef } from "../src/db/models/message-ref";
import { Request } from "../src/db/models/request";
import { Counter } from "../src/db/models/counter";
import { staffRole, upsertOfficer, removeOfficer, listOfficers, officerNames, findOfficer } from "../src/domain/officers";
import { seedSentras, listSentras, sentraChairedBy, renameSentra, findSentra } from "../src/domain/sentras";
import { latestOpenAnswerPrompt, recordMessageRef, markAnswerPromptsUsed } from "../src/domain/message-refs";
import { createRequest } from "../src/domain/requests";
import { testMember } from "./helpers/fixtures";

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

test("member cache: served from memory, and every kind of mongoose write is seen", async () => {
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

test("member cache: a write naming one member drops only that member; a registration is kept from the write itself", async () => {
  await registerMember(64040, registration, new Date(), "id");
  await registerMember(64041, registration, new Date(), "id");
  // Served from what registerMember wrote: a change behind the cache's back is not seen.
  await Member.collection.updateOne({ telegramId: 64041 }, { $set: { name: "behind the back" } });
  expect((await findMemberCached(64041))?.name).toBe("Ni Made Sari");
  // Another member's write leaves 64041's entry alone …
  await setMemberLocale(64040, "en");
  expect((await findMemberCached(64040))?.locale).toBe("en");
  expect((await findMemberCached(64041))?.name).toBe("Ni Made Sari");
  // … a write by _id cannot say whose it is: everything goes.
  const doc = await Member.findOne({ telegramId: 64040 }).lean();
  await Member.updateOne({ _id: doc!._id }, { $set: { businessName: "Sari Jaya" } });
  expect((await findMemberCached(64041))?.name).toBe("behind the back");
  expect((await findMemberCached(64040))?.businessName).toBe("Sari Jaya");
});

test("ReadCache: a read begun before a key's write is not kept; an own write is kept only if nothing else wrote meanwhile", () => {
  const cache = new ReadCache<string, number>({ max: 10, ttlMs: 1000 });
  const before = cache.stamp();
  cache.invalidate("a");
  cache.set("a", 1, before);
  expect(cache.get("a")).toBeUndefined();
  cache.set("b", 2, before);
  expect(cache.get("b")?.value).toBe(2);

  const own = cache.stampFor("a");
  cache.invalidate("a");
  cache.invalidate("a");
  cache.setOwnWrite("a", 3, own, 2);
  expect(cache.get("a")?.value).toBe(3);
  const raced = cache.stampFor("a");
  cache.invalidate("a");
  cache.invalidate("a");
  cache.invalidate("a"); // someone else's write too
  cache.setOwnWrite("a", 4, raced, 2);
  expect(cache.get("a")).toBeUndefined();
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
  expect(JSON.parse((await ConversationState.findById("64005").lean())!.data!)).toEqual(state);
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

test("update ids kept with the dialogue state: a copy is recognised without another round trip; the last update is claimed when the dialogue ends", async () => {
  const store = createConversationStore();
  const storage = adapterOf(store);
  const state = { version: [0, 1] as [0, number], state: { request_produksi: [] } };
  expect(await store.seen(ctx(64007, 100))).toBe("unknown");
  await storage.write(ctx(64007, 100), state as never);
  await storage.write(ctx(64007, 101), { ...state, state: { request_produksi: [{ step: 2 }] } } as never);
  expect((await ConversationState.findById("64007").lean())?.updates).toEqual([100, 101]);
  // A write that changes nothing is not made (nor its id kept).
  await storage.write(ctx(64007, 102), { ...state, state: { request_produksi: [{ step: 2 }] } } as never);
  expect((await ConversationState.findById("64007").lean())?.updates).toEqual([100, 101]);
  expect(await store.seen(ctx(64007, 101))).toBe("duplicate");
  expect(await store.seen(ctx(64007, 100))).toBe("duplicate");
  expect(await store.seen(ctx(64007, 102))).toBe("new-in-dialogue");
  // Older than what the state knows: the caller asks the processed-updates collection.
  expect(await store.seen(ctx(64007, 99))).toBe("unknown");
  // A new process knows it from the database.
  expect(await createConversationStore().seen(ctx(64007, 101))).toBe("duplicate");
  await storage.delete(ctx(64007, 103));
  expect(await ProcessedUpdate.countDocuments({ _id: 103 })).toBe(1);
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

test("officers and sentras: read once, kept until a write through mongoose", async () => {
  const now = new Date();
  expect(await staffRole(64010, [])).toBeNull();
  // Behind the caches' back: not seen in the list …
  await Officer.collection.insertOne({ telegramId: 64010, name: "Bu Wayan", types: [], kecamatan: [], active: true, addedBy: 1 });
  expect((await listOfficers()).map((o) => o.name)).toEqual([]);
  // … though who is staff is read again before saying no (issue 23.2) …
  expect(await staffRole(64010, [])).toBe("officer");
  // … and the list follows a write through mongoose (here: another officer added by an admin).
  await upsertOfficer({ telegramId: 64011, name: "Pak Made", handles: { types: ["kemasan"], kecamatan: [] } }, 1, now);
  expect(await staffRole(64010, [])).toBe("officer");
  expect((await listOfficers()).map((o) => o.name)).toEqual(["Bu Wayan", "Pak Made"]);
  expect((await officerNames([64010, 64011, 99])).get(64011)).toBe("Pak Made");
  await removeOfficer(64010, 1, now);
  expect(await staffRole(64010, [])).toBeNull();
  expect((await findOfficer(64010))?.active).toBe(false);
  // Callers get copies.
  (await listOfficers())[0].types.push("modal");
  (await listOfficers())[0].name = "changed";
  expect(await listOfficers()).toMatchObject([{ name: "Pak Made", types: ["kemasan"] }]);

  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  const [sentra] = await listSentras();
  // A chairperson counts only while a registered member of the sentra.
  await testMember(64012, sentra.id);
  expect(await sentraChairedBy(64012)).toBeNull();
  await Sentra.collection.updateOne({}, { $set: { chairpersonTelegramId: 64012 } });
  expect(await sentraChairedBy(64012)).toBeNull();
  await renameSentra(sentra.id, "Sentra Amerta Jaya");
  expect(await sentraChairedBy(64012)).toMatchObject({ id: sentra.id, name: "Sentra Amerta Jaya" });
  expect((await findSentra(sentra.id))?.chairpersonTelegramId).toBe(64012);
});

test("open answer prompts: 'none' is kept per chat until a message ref is written", async () => {
  const since = new Date(Date.now() - 60_000);
  const requestId = new Types.ObjectId().toHexString();
  expect(await latestOpenAnswerPrompt(64020, since)).toBeNull();
  await MessageRef.collection.insertOne({ chatId: 64020, messageId: 1, requestId: new Types.ObjectId(requestId), kind: "answer_prompt", usedAt: null, createdAt: new Date() });
  expect(await latestOpenAnswerPrompt(64020, since)).toBeNull();
  await recordMessageRef({ chatId: 64020, messageId: 2, requestId, kind: "answer_prompt" });
  expect((await latestOpenAnswerPrompt(64020, since))?.messageId).toBe(2);
  await markAnswerPromptsUsed(64020, new Date());
  expect(await latestOpenAnswerPrompt(64020, since)).toBeNull();
  // A prompt older than what the caller accepts is not returned, even from memory.
  await recordMessageRef({ chatId: 64020, messageId: 3, requestId, kind: "answer_prompt" });
  expect((await latestOpenAnswerPrompt(64020, since))?.messageId).toBe(3);
  expect(await latestOpenAnswerPrompt(64020, new Date(Date.now() + 60_000))).toBeNull();
});

test("tracking codes: the next number comes from memory; a code taken behind its back is skipped", async () => {
  const input = (n: number) => ({
    type: "kemasan" as const,
    sla: SLA_DEFAULTS,
    member: { id: new Types.ObjectId().toHexString(), telegramId: 64030, sentraId: null, kecamatan: "Mengwi" as const },
    answers: {},
    attachments: [],
    sourceKey: `test:${n}`,
    now: new Date("2026-11-10T03:00:00Z"),
  });
  expect((await createRequest(input(1))).code).toBe("KMS-2611-001");
  expect((await createRequest(input(2))).code).toBe("KMS-2611-002");
  // The same source again: the same request, no new number.
  expect((await createRequest(input(2))).code).toBe("KMS-2611-002");
  // Another process took 003 (the counter says so too): the next insert collides and moves on.
  await Request.collection.insertOne({ ...(await Request.findOne({ code: "KMS-2611-002" }).lean()), _id: new Types.ObjectId(), code: "KMS-2611-003", sourceKey: "elsewhere" });
  await Counter.collection.updateOne({ _id: "code:KMS:2611" as never }, { $set: { seq: 3 } });
  expect((await createRequest(input(3))).code).toBe("KMS-2611-004");
});
