/**
 * The two inserts everything else leans on: a lock (two keys in one round trip) and the outbox
 * (several items in one round trip, a dedupe key queued once, the items' order kept).
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { tryLock, LOCK_BUCKET_MS } from "../src/domain/locks";
import { enqueue, pendingItems } from "../src/domain/outbox";
import { Lock } from "../src/db/models/lock";

useTestDatabase();
beforeEach(async () => {
  await clearDatabase();
});

test("tryLock: one holder at a time; a lock whose holder only has the second key left is not taken, and nothing is left behind", async () => {
  const release = await tryLock("x");
  expect(release).not.toBeNull();
  expect(await Lock.countDocuments()).toBe(2);
  expect(await tryLock("x")).toBeNull();
  expect(await Lock.countDocuments()).toBe(2);
  await release!();
  expect(await Lock.countDocuments()).toBe(0);

  // A holder from the previous bucket keeps only this bucket's key.
  const b = Math.floor(Date.now() / LOCK_BUCKET_MS);
  await Lock.create({ _id: `x#${b}`, createdAt: new Date() });
  expect(await tryLock("x")).toBeNull();
  await Lock.deleteMany({});
  await Lock.create({ _id: `x#${b + 1}`, createdAt: new Date() });
  expect(await tryLock("x")).toBeNull();
  // The first key taken on the way was given back.
  expect((await Lock.find().lean()).map((l) => l._id)).toEqual([`x#${b + 1}`]);
});

test("enqueue: many items at once, each dedupe key once, in the order given", async () => {
  const now = new Date();
  const item = (key: string) => ({ kind: "notice" as const, chat: 42, method: "sendMessage", payload: { chat_id: 42, text: key }, dedupeKey: key });
  expect(await enqueue([item("a"), item("b")], now)).toBe(2);
  expect(await enqueue([item("a"), item("c"), item("b"), item("d")], now)).toBe(2);
  expect(await enqueue([], now)).toBe(0);
  expect((await pendingItems()).map((i) => i.payload.text)).toEqual(["a", "b", "c", "d"]);
});
