/**
 * Several processes on one database (issue 15): a write through a watched model raises its
 * collection's counter, and another process's poll drops its caches of that collection. Simulated in
 * one process by resetting the poller's view: what another process would see.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { CacheStamp } from "../src/db/models/cache-stamp";
import { Member } from "../src/db/models/member";
import { Sentra } from "../src/db/models/sentra";
import { startStampPolling } from "../src/db/shared-stamps";
import { findMemberCached } from "../src/domain/members";
import { listSentras, seedSentras } from "../src/domain/sentras";
import { Setting } from "../src/db/models/setting";
import { getOfficeContact, setOfficeContact } from "../src/domain/settings";
import { Holiday } from "../src/db/models/holiday";
import { addHoliday, loadCalendar } from "../src/domain/holidays";
import { testMember } from "./helpers/fixtures";

useTestDatabase();

beforeEach(async () => {
  await clearDatabase();
});

test("a write through mongoose raises its collection's counter", async () => {
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  const before = (await CacheStamp.findById("sentras").lean())?.v ?? 0;
  await Sentra.updateOne({ slug: "amerta-jaya" }, { $set: { name: "Amerta Jaya Mengwi" } });
  expect((await CacheStamp.findById("sentras").lean())!.v).toBe(before + 1);
});

test("a change written by another process (raw driver + its counter) reaches this process's caches at the next poll, not before", async () => {
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  await testMember(61001, null, { name: "Nama Lama", phone: "+6281200000001", businessName: "UD A", products: "keripik", kecamatan: "Mengwi" });
  const poller = startStampPolling({ timer: false });
  await poller.pollOnce(); // takes note of the counters as they are
  expect((await findMemberCached(61001))!.name).toBe("Nama Lama");
  expect((await listSentras())[0].name).toBe("Sentra IKM Amerta Jaya");

  // "Another process": writes the documents (this process's hooks don't see the raw driver) and the counters.
  await Member.collection.updateOne({ telegramId: 61001 }, { $set: { name: "Nama Baru" } });
  await Sentra.collection.updateOne({ slug: "amerta-jaya" }, { $set: { name: "Amerta Jaya Baru" } });
  expect((await findMemberCached(61001))!.name).toBe("Nama Lama"); // cached: not seen yet
  await CacheStamp.collection.updateOne({ _id: "members" as never }, { $inc: { v: 1 } }, { upsert: true });
  await CacheStamp.collection.updateOne({ _id: "sentras" as never }, { $inc: { v: 1 } }, { upsert: true });

  expect((await poller.pollOnce()).sort()).toEqual(["members", "sentras"]);
  expect((await findMemberCached(61001))!.name).toBe("Nama Baru");
  expect((await listSentras())[0].name).toBe("Amerta Jaya Baru");
  // Nothing moved since: nothing dropped.
  expect(await poller.pollOnce()).toEqual([]);
  poller.stop();
});

test("settings: cached, dropped by this process's write at once and by another process's at the next poll", async () => {
  await setOfficeContact("Telp 0361 000001", 1);
  const poller = startStampPolling({ timer: false });
  await poller.pollOnce();
  expect(await getOfficeContact()).toBe("Telp 0361 000001");

  await Setting.collection.updateOne({ _id: "officeContact" as never }, { $set: { value: "Telp 0361 000002" } });
  expect(await getOfficeContact()).toBe("Telp 0361 000001"); // cached: another process's write not seen yet
  await CacheStamp.collection.updateOne({ _id: "settings" as never }, { $inc: { v: 1 } }, { upsert: true });
  expect(await poller.pollOnce()).toEqual(["settings"]);
  expect(await getOfficeContact()).toBe("Telp 0361 000002");

  await setOfficeContact(null, 1); // this process's own write: seen at once
  expect(await getOfficeContact()).toBeNull();
  poller.stop();
});

test("the holiday calendar: another process's new day off is seen at the next poll", async () => {
  await addHoliday("2026-12-28", "Hari libur uji", 1);
  const poller = startStampPolling({ timer: false });
  await poller.pollOnce();
  expect((await loadCalendar()).holidays.has("2026-12-29")).toBe(false);

  await Holiday.collection.insertOne({ date: "2026-12-29", name: "Cuti bersama uji", source: "uji", kind: "lainnya", active: true, changedBy: 2 } as never);
  expect((await loadCalendar()).holidays.has("2026-12-29")).toBe(false); // cached: not seen yet
  await CacheStamp.collection.updateOne({ _id: "holidays" as never }, { $inc: { v: 1 } }, { upsert: true });
  expect(await poller.pollOnce()).toEqual(["holidays"]);
  expect((await loadCalendar()).holidays.has("2026-12-29")).toBe(true);
  poller.stop();
});
