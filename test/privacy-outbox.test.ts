/**
 * /hapusdata while messages about the member still wait in the outbox: the chairperson's review of
 * them (their chat failing; written when sent, from the member's record), their chair application in
 * the officers' group and a digest line. After
 * the erasure none of those is delivered, and no stored byte anywhere (the outbox included) holds the
 * member's name, phone, business or products.
 */
import mongoose from "mongoose";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, testConfig } from "./helpers/harness";
import { testRequest } from "./helpers/fixtures";
import { seedSentras, listSentras } from "../src/domain/sentras";
import { registerMember, findMemberByTelegramId } from "../src/domain/members";
import { queueMembershipReview, setChairperson } from "../src/domain/chairpersons";
import { Outbox } from "../src/db/models/outbox";
import { tFor } from "../src/i18n";

useTestDatabase();
const t = tFor("id");
const GROUP = -1001555000111;
const CHAIR = 77001;
const MEMBER = 77002;
const DATA = { name: "Luh Sekar Wangi", phone: "+6281399887766", businessName: "Sekar Snack Mengwi", products: "kaliadrem, sengarit" };

async function everything(): Promise<string> {
  const out: string[] = [];
  for (const c of await mongoose.connection.db!.collections()) out.push(JSON.stringify(await c.find().toArray()));
  return out.join("\n");
}

beforeEach(async () => {
  await clearDatabase();
});

test("queued messages with the member's data are dropped or emptied at erasure, and never delivered", async () => {
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  const [sentra] = await listSentras();
  const h = new Harness(testConfig({ OFFICER_GROUP_ID: String(GROUP) }));
  // A small group budget, so new requests are announced by a digest naming the business.
  h.groupLimit = { max: 3, windowMs: 60_000, reserve: 1 };
  h.dispatcher = h.newDispatcher();
  await registerMember(
    CHAIR,
    { name: "Ketut Ketua", phone: "+628123000001", businessName: "Gipang Ketut", products: "gipang", kecamatan: "Mengwi", sentraId: sentra.id, sentraWish: null },
    new Date(),
  );
  await setChairperson(sentra.id, CHAIR, 1, new Date());
  const member = await registerMember(MEMBER, { ...DATA, kecamatan: "Mengwi", sentraId: sentra.id, sentraWish: null }, new Date());

  // The chairperson's chat fails for now: their review of the new member waits in the outbox.
  h.telegram.fail("sendMessage", { kind: "http", error_code: 500, description: "Internal Server Error" }, 50, CHAIR);
  expect(await queueMembershipReview(MEMBER, new Date())).toBe(true);
  for (let i = 0; i < 4; i++) await testRequest(member, "kemasan", new Date(), { product: "kaliadrem", wants: ["desain_label"], quantity: "qty_100_500" });
  const u = h.user(MEMBER);
  await u.send("/ketua");
  await u.press(t("membership.btn_ask_chair"));
  await h.drain();

  const before = await everything();
  expect(before).toContain(DATA.businessName);
  const digests = await Outbox.find({ kind: "digest" }).lean();
  expect(digests.length).toBeGreaterThan(0);
  expect(digests.some((d) => d.payload.includes(DATA.businessName))).toBe(true);
  const reviews = await Outbox.find({ kind: "membership", chatId: CHAIR, status: "pending" }).lean();
  expect(reviews).toHaveLength(1);
  // Written when sent: the queued review names the member by id only, never by their data.
  expect(reviews[0].message).toContain(member.id);
  expect(JSON.stringify(reviews[0])).not.toContain(DATA.name);

  await u.send("/hapusdata");
  await u.press(t("privacy.confirm_yes"));
  expect(await findMemberByTelegramId(MEMBER)).toBeNull();

  // Telegram works again: everything still queued goes out, none of it about the member's data.
  h.telegram.clearFaults();
  const sentBefore = h.telegram.calls.length;
  await h.deliver();
  const after = h.telegram.calls.slice(sentBefore).filter((c) => !c.failed);
  expect(after.length).toBeGreaterThan(0);
  const sentText = JSON.stringify(after.map((c) => c.payload));
  for (const v of [DATA.name, DATA.businessName, DATA.products, "81399887766"]) expect(sentText).not.toContain(v);
  expect(h.telegram.callsOf("sendMessage", CHAIR).filter((c) => !c.failed)).toHaveLength(0);

  const stored = await everything();
  for (const v of [DATA.name, DATA.businessName, DATA.products, "81399887766"]) expect(stored).not.toContain(v);
});
