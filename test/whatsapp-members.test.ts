/**
 * Who writes on WhatsApp (domain/whatsapp-members.ts), against the test database: a member is found
 * by the number or by Meta's user id when the other changed, an erased member is no one, and a
 * known sender's record is read by `_id` (what servers without other index use serve fast), the
 * linked members read ahead once at start-up.
 */
import { countCommands } from "./helpers/commands";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { registeredMember } from "./helpers/requests";
import { findWhatsAppSender, preloadWhatsAppSenders } from "../src/domain/whatsapp-members";
import { Member, memberWrites } from "../src/db/models/member";
import { eraseMemberData } from "../src/domain/privacy";
import { invalidateReadCaches } from "../src/lib/read-cache";

useTestDatabase({ monitorCommands: true });
beforeEach(clearDatabase);

const NUMBER = "6281234567890"; // registeredMember's phone, as WhatsApp gives it

/** The filters (field names) of the `find` commands on members sent while `fn` runs. */
async function memberFinds(fn: () => Promise<unknown>): Promise<string[]> {
  const { commands } = await countCommands(fn);
  return commands.filter((c) => c.name === "find" && c.collection === "members").map((c) => Object.keys((c.command.filter as object) ?? {}).join(","));
}

it("links a member by the verified number, then finds them by their user id when the number changed", async () => {
  const m = await registeredMember(7101);
  const first = await findWhatsAppSender({ from: NUMBER, userId: "US.7101" }, new Date());
  expect(first?.member.id).toBe(m.id);
  invalidateReadCaches();
  const again = await findWhatsAppSender({ from: "6281999000111", userId: "US.7101" }, new Date());
  expect(again?.member.id).toBe(m.id);
  const stored = await Member.findOne({ telegramId: 7101 }).lean();
  expect(stored?.whatsapp?.waId).toBe("6281999000111");
  expect(stored?.whatsapp?.userId).toBe("US.7101");
});

it("an erased member is no one, from memory or from the database", async () => {
  await registeredMember(7102);
  expect(await findWhatsAppSender({ from: NUMBER }, new Date())).not.toBeNull();
  await eraseMemberData(7102, new Date());
  expect(await findWhatsAppSender({ from: NUMBER }, new Date())).toBeNull();
  invalidateReadCaches();
  expect(await findWhatsAppSender({ from: NUMBER }, new Date())).toBeNull();
  expect(await preloadWhatsAppSenders()).toBe(0);
});

it("reads the linked members ahead once, and a known sender's record by _id only", async () => {
  await registeredMember(7103);
  await findWhatsAppSender({ from: NUMBER }, new Date());
  expect(await preloadWhatsAppSenders()).toBe(1);
  // Written since (as by another process): read again, by _id alone.
  invalidateReadCaches();
  const finds = await memberFinds(() => findWhatsAppSender({ from: NUMBER }, new Date(Date.now() + 120_000)));
  expect(finds).toEqual(["_id"]);
});

it("a record erased between the read and the write keeps no WhatsApp link, and no one is found", async () => {
  await registeredMember(7104);
  await findWhatsAppSender({ from: NUMBER }, new Date());
  // Erased behind the caches' back (as by another process a moment ago).
  await Member.collection.updateOne({ telegramId: 7104 }, { $set: { erasedAt: new Date() }, $unset: { whatsapp: 1, phone: 1, name: 1 } });
  expect(await findWhatsAppSender({ from: NUMBER }, new Date(Date.now() + 120_000))).toBeNull();
  const stored = await Member.findOne({ telegramId: 7104 }).lean();
  expect(stored?.erasedAt).toBeTruthy();
  expect(stored?.whatsapp).toBeUndefined();
});

it("the last-heard write by _id drops only that member from the caches (no command sent with the key)", async () => {
  await registeredMember(7105);
  await findWhatsAppSender({ from: NUMBER }, new Date());
  const before = memberWrites.version;
  const { commands } = await countCommands(() => findWhatsAppSender({ from: NUMBER }, new Date(Date.now() + 120_000)));
  const sent = commands.filter((c) => c.name === "findAndModify").map((c) => c.command);
  expect(memberWrites.version).toBe(before);
  expect(sent).toHaveLength(1);
  expect(Object.keys(sent[0].query as object)).toEqual(["_id"]);
  expect(JSON.stringify(sent[0])).not.toContain("watchKey");
});
