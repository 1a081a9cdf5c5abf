/**
 * What happens at Kirim: the request is saved before the summary is tidied (a failed edit loses
 * nothing), and it is filed under the member's sentra and kecamatan as they are at that moment.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { RecordingHarness, registeredMember, fillSteps, EXPECTED, codeIn } from "./helpers/requests";
import { seedSentras, listSentras } from "../src/domain/sentras";
import { Request } from "../src/db/models/request";
import { Member } from "../src/db/models/member";
import { ConversationState } from "../src/db/models/conversation-state";
import { tFor } from "../src/i18n";

useTestDatabase();

const t = tFor("id");
let h: RecordingHarness;

beforeEach(async () => {
  await clearDatabase();
  h = new RecordingHarness();
});

test("the summary cannot be edited at Kirim (400): the request is still saved and the member gets the code", async () => {
  const u = h.user(7700);
  await registeredMember(u.id);
  await u.send("/pemasaran");
  await fillSteps(u, "pemasaran");
  h.telegram.fail("editMessageText", { kind: "http", error_code: 400, description: "Bad Request: message to edit not found" });
  await u.press(t("request.send"));

  const failed = h.telegram.calls.filter((c) => c.failed);
  expect(failed).toHaveLength(1);
  expect(String(failed[0].payload.text)).toContain("Ringkasan");
  const code = codeIn(u.lastText());
  expect(u.lastText()).toContain(t("labels.type.pemasaran"));
  expect(u.texts()).not.toContain(t("errors.internal"));
  const saved = await Request.findOne({ code }).lean();
  expect(saved!.answers).toEqual(EXPECTED.pemasaran.answers);
  expect(await ConversationState.countDocuments()).toBe(0);
});

test("the request is filed under the sentra and kecamatan the member has at Kirim, not at the dialogue's start", async () => {
  const u = h.user(7701);
  const member = await registeredMember(u.id);
  await u.send("/modal");
  await fillSteps(u, "modal");
  // Meanwhile the member moved to a sentra in Kuta (e.g. changed their data, or was moved by an admin).
  await seedSentras([{ slug: "kuta-baru", name: "Sentra Kuta Baru", kecamatan: "Kuta" }]);
  const kuta = (await listSentras()).find((s) => s.slug === "kuta-baru")!;
  expect(kuta.id).not.toBe(member.sentraId);
  await Member.updateOne({ telegramId: u.id }, { $set: { sentraId: kuta.id, kecamatan: "Kuta" } });

  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(String(saved!.sentraId)).toBe(kuta.id);
  expect(saved!.kecamatan).toBe("Kuta");
  expect(String(saved!.memberId)).toBe(member.id);
});

test("a member whose sentra membership was cleared mid-dialogue files the request under no sentra", async () => {
  const u = h.user(7702);
  await registeredMember(u.id);
  await u.send("/pelatihan");
  await fillSteps(u, "pelatihan");
  await Member.updateOne({ telegramId: u.id }, { $set: { sentraId: null } });
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.sentraId).toBeNull();
  expect(saved!.kecamatan).toBe("Mengwi");
});
