import { Types } from "mongoose";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, testConfig, TestUser } from "./helpers/harness";
import { seedSentras, listSentras, type SentraView } from "../src/domain/sentras";
import { registerMember, findMemberByTelegramId } from "../src/domain/members";
import { testRequest } from "./helpers/fixtures";
import { setChairperson } from "../src/domain/chairpersons";
import { upsertOfficer } from "../src/domain/officers";
import { Member } from "../src/db/models/member";
import { Sentra } from "../src/db/models/sentra";
import { AuditLog } from "../src/db/models/audit-log";
import { ChairRequest } from "../src/db/models/chair-request";
import { inOrder, textOf } from "./helpers/localeText";

useTestDatabase();

const ADMIN = 7400,
  CHAIR = 7401,
  NEWBIE = 7402,
  STRANGER = 7403,
  OFFICER = 7404;
const GROUP = -1001234567890;
let h: Harness;
let sentra: SentraView;

beforeEach(async () => {
  await clearDatabase();
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  [sentra] = await listSentras();
  await registerMember(
    CHAIR,
    { name: "Ketut Ketua", phone: "+628123000001", businessName: "Gipang Ketut", products: "gipang", kecamatan: "Mengwi", sentraId: sentra.id, sentraWish: null },
    new Date(),
  );
  await upsertOfficer({ telegramId: OFFICER, name: "Petugas Komang", handles: { types: [], kecamatan: [] } }, ADMIN, new Date());
  h = new Harness(testConfig({ ADMIN_IDS: String(ADMIN), OFFICER_GROUP_ID: String(GROUP) }));
});

async function onboardInto(u: TestUser, sentraName: string) {
  await u.send("/start");
  await u.press("Setuju");
  await u.send("Nyoman Baru");
  await u.contact("6281234567000");
  await u.send("Keripik Nyoman");
  await u.press("Mengwi");
  await u.press(sentraName);
  await u.send("keripik ladrang");
  expect(u.lastText()).toContain(textOf("onboarding.done", { name: "Nyoman Baru", businessName: "Keripik Nyoman", kecamatan: "Mengwi", sentra: sentraName }));
}

test("the chairperson confirms a new member: round trip with a stranger refused", async () => {
  await setChairperson(sentra.id, CHAIR, ADMIN, new Date());
  const newbie = h.user(NEWBIE);
  await onboardInto(newbie, "Sentra IKM Amerta Jaya");
  await h.drain();
  const chair = h.user(CHAIR);
  expect(chair.lastText()).toContain(
    textOf("membership.review", { sentra: "Sentra IKM Amerta Jaya", name: "Nyoman Baru", business: "Keripik Nyoman", products: "keripik ladrang" }),
  );
  const button = chair.findButton("Setujui")!;
  // Someone else pressing the same button (forged into their own chat) is refused.
  const stranger = h.user(STRANGER);
  const refused = await stranger.press(button.data, { raw: true });
  expect(refused.find((c) => c.method === "answerCallbackQuery")!.payload).toMatchObject({ show_alert: true, text: textOf("membership.refused_not_chair") });
  expect((await Member.findOne({ telegramId: NEWBIE }).lean())!.sentraVerifiedAt).toBeNull();

  // A request sent before the confirmation: its card does not yet show the member as verified.
  const member = await findMemberByTelegramId(NEWBIE);
  const request = await testRequest(member!, "kemasan");
  await h.drain();
  const card = h.telegram.callsOf("sendMessage", GROUP).find((c) => String(c.payload.text).includes(request.code))!;
  const cardId = (card.result as { message_id: number }).message_id;
  const cardText = () => String(h.telegram.messages.get(`${GROUP}:${cardId}`)!.text);
  expect(cardText()).not.toContain(textOf("officer.card.verified").trim());

  await chair.press("Setujui");
  expect(chair.lastText()).toContain(textOf("membership.you_approved"));
  expect((await Member.findOne({ telegramId: NEWBIE }).lean())!.sentraVerifiedAt).toBeInstanceOf(Date);
  await h.drain();
  expect(cardText()).toContain(textOf("officer.card.verified")); // the card was edited in place
  expect(newbie.lastText()).toBe(textOf("membership.approved", { sentra: "Sentra IKM Amerta Jaya" }));
  // Pressing again (an old message) changes nothing.
  const again = await chair.press(button.data, { raw: true, messageId: button.messageId });
  expect(again.find((c) => c.method === "answerCallbackQuery")!.payload.text).toBe(textOf("membership.refused_already"));
  expect(await AuditLog.countDocuments({ action: "membership.approve", by: CHAIR })).toBe(1);
});

test("a rejected member is taken out of the sentra and told; no chairperson means no review", async () => {
  const first = h.user(NEWBIE);
  await onboardInto(first, "Sentra IKM Amerta Jaya");
  await h.drain();
  expect(h.telegram.textsTo(CHAIR)).toHaveLength(0); // the sentra has no chairperson yet

  await setChairperson(sentra.id, CHAIR, ADMIN, new Date());
  const second = h.user(NEWBIE + 10);
  await onboardInto(second, "Sentra IKM Amerta Jaya");
  await h.drain();
  const chair = h.user(CHAIR);
  await chair.press("Tolak");
  expect((await Member.findOne({ telegramId: NEWBIE + 10 }).lean())!.sentraId).toBeNull();
  await h.drain();
  expect(second.lastText()).toBe(textOf("membership.rejected", { sentra: "Sentra IKM Amerta Jaya" }));
});

test("a member applies to chair the sentra; only officers and admins decide, in the group", async () => {
  const chairToBe = h.user(CHAIR);
  await chairToBe.send("/ketua");
  await chairToBe.press("Ya, ajukan");
  expect(chairToBe.lastText()).toContain(textOf("membership.chair_request_queued"));
  await h.drain();
  const group = h.inGroup(GROUP, STRANGER);
  expect(group.lastText()).toContain(textOf("membership.chair_request", { name: "Ketut Ketua", business: "Gipang Ketut", sentra: "Sentra IKM Amerta Jaya", current: "" }));
  const refused = await group.press("Setujui");
  expect(refused.find((c) => c.method === "answerCallbackQuery")!.payload.text).toBe(textOf("membership.refused_not_staff"));
  expect((await Sentra.findById(sentra.id).lean())!.chairpersonTelegramId ?? null).toBeNull();

  const officer = h.inGroup(GROUP, OFFICER, { first_name: "Komang" });
  await officer.press("Setujui");
  expect(officer.lastText()).toContain(textOf("membership.chair_approved_by", { name: "Ketut Ketua", sentra: "Sentra IKM Amerta Jaya", by: "Komang" }));
  expect((await Sentra.findById(sentra.id).lean())!.chairpersonTelegramId).toBe(CHAIR);
  await h.drain();
  expect(chairToBe.lastText()).toBe(textOf("admin.you_are_chair", { sentra: "Sentra IKM Amerta Jaya" }));
  // Now a chairperson: /status shows the sentra.
  await chairToBe.send("/status");
  expect(chairToBe.lastText()).toContain(textOf("status.sentra_title", { sentra: "Sentra IKM Amerta Jaya" }));
});

test("/ketua from someone in no sentra is an unknown command", async () => {
  await registerMember(
    NEWBIE,
    { name: "Tanpa Sentra", phone: "+628123000002", businessName: "X", products: "y", kecamatan: "Kuta", sentraId: null, sentraWish: "later" },
    new Date(),
  );
  const u = h.user(NEWBIE);
  await u.send("/ketua");
  expect(u.lastText()).toBe(textOf("unhandled.member"));
});

describe("a chairperson who moves to another sentra", () => {
  // "Sentra Lain" lies in Kuta.
  const registration = (sentraId: string | null) => ({
    name: "Ketut Ketua",
    phone: "+628123000001",
    businessName: "Gipang Ketut",
    products: "gipang",
    kecamatan: "Kuta" as const,
    sentraId,
    sentraWish: sentraId ? null : ("later" as const),
  });

  test("stops chairing the old sentra (audited) and no longer sees it", async () => {
    await seedSentras([{ slug: "lain", name: "Sentra Lain", kecamatan: "Kuta" }]);
    const other = (await listSentras()).find((s) => s.slug === "lain")!;
    await setChairperson(sentra.id, CHAIR, ADMIN, new Date());
    const chair = h.user(CHAIR);
    await chair.send("/status");
    expect(chair.lastText()).toContain(textOf("status.sentra_title", { sentra: "Sentra IKM Amerta Jaya" }));

    // Another member's pending application named them as the chair to replace.
    const applicant = new Types.ObjectId();
    await ChairRequest.create({ memberId: applicant, sentraId: sentra.id, previousChair: CHAIR });

    await registerMember(CHAIR, registration(other.id), new Date()); // as /profil saves it
    expect((await Sentra.findById(sentra.id).lean())!.chairpersonTelegramId).toBeNull();
    // That application now replaces nobody (and can still be decided).
    expect(await ChairRequest.find({}, { _id: 0, memberId: 1, previousChair: 1 }).lean()).toEqual([{ memberId: applicant, previousChair: null }]);
    expect(await AuditLog.countDocuments({ action: "chairperson.left_sentra", by: CHAIR })).toBe(1);
    await chair.send("/status");
    expect(chair.lastText()).not.toMatch(/Sentra IKM Amerta Jaya/);
    expect(chair.lastText()).toContain(textOf("status.none"));
    await chair.send("/anggota");
    expect(chair.lastText()).toBe(textOf("unhandled.member"));

    // Saving the same data again changes nothing more.
    await registerMember(CHAIR, registration(other.id), new Date());
    expect(await AuditLog.countDocuments({ action: "chairperson.left_sentra" })).toBe(1);
  });

  test("moving through /profil also takes the sentra's commands off their command menu", async () => {
    await seedSentras([{ slug: "lain", name: "Sentra Lain", kecamatan: "Kuta" }]);
    await setChairperson(sentra.id, CHAIR, ADMIN, new Date());
    const chair = h.user(CHAIR);
    const from = h.telegram.calls.length;
    await chair.send("/profil");
    await chair.press("Tetap: Ketut Ketua");
    await chair.send("+628123000001");
    await chair.press("Tetap: Gipang Ketut");
    await chair.press(/^Kuta$/);
    await chair.press("Sentra Lain");
    await chair.press("Tetap: gipang");
    expect(chair.texts().at(-2)).toContain(textOf("onboarding.updated", { name: "Ketut Ketua", businessName: "Gipang Ketut", kecamatan: "Kuta", sentra: "Sentra Lain" }));
    expect((await Sentra.findById(sentra.id).lean())!.chairpersonTelegramId).toBeNull();
    // Not an officer or admin: the chat's own menu goes, in every language it was set in.
    expect(
      h.telegram.calls
        .slice(from)
        .filter((c) => c.method === "deleteMyCommands")
        .map((c) => c.payload),
    ).toEqual([
      { scope: { type: "chat", chat_id: CHAIR } },
      { scope: { type: "chat", chat_id: CHAIR }, language_code: "id" },
      { scope: { type: "chat", chat_id: CHAIR }, language_code: "en" },
    ]);
  });

  test("a chair recorded for a sentra its holder is not a member of counts for nothing", async () => {
    await seedSentras([{ slug: "lain", name: "Sentra Lain", kecamatan: "Kuta" }]);
    const other = (await listSentras()).find((s) => s.slug === "lain")!;
    // E.g. a record written before the chair was cleared on a move.
    await Sentra.updateOne({ _id: other.id }, { $set: { chairpersonTelegramId: CHAIR } });
    const chair = h.user(CHAIR);
    await chair.send("/anggota");
    expect(chair.lastText()).toBe(textOf("unhandled.member"));
    await chair.send("/status");
    expect(chair.lastText()).not.toMatch(/Sentra Lain/);
  });
});

describe("deciding a chair application: once, and only while it still holds", () => {
  const refusal = (calls: { method: string; payload: Record<string, unknown> }[]) => String(calls.find((c) => c.method === "answerCallbackQuery")!.payload.text);

  async function apply(telegramId: number) {
    const u = h.user(telegramId);
    await u.send("/ketua");
    await u.press("Ya, ajukan");
    await h.drain();
    return h.inGroup(GROUP, OFFICER, { first_name: "Komang" });
  }

  test("a second press (Setujui then Tolak) does nothing more", async () => {
    const officer = await apply(CHAIR);
    const approve = officer.findButton("Setujui")!;
    const reject = officer.findButton("Tolak")!;
    await officer.press(approve.data, { raw: true, messageId: approve.messageId });
    expect((await Sentra.findById(sentra.id).lean())!.chairpersonTelegramId).toBe(CHAIR);
    const again = await officer.press(reject.data, { raw: true, messageId: reject.messageId });
    expect(refusal(again)).toBe(textOf("membership.refused_chair_decided"));
    expect(again.some((c) => c.method === "editMessageText")).toBe(false);
    expect((await Sentra.findById(sentra.id).lean())!.chairpersonTelegramId).toBe(CHAIR);
    expect(await AuditLog.countDocuments({ action: { $in: ["chairperson.set", "chairperson.request_rejected"] } })).toBe(1);
    await h.drain();
    const told = h.user(CHAIR).texts();
    expect(told.filter((t) => t === textOf("admin.you_are_chair", { sentra: "Sentra IKM Amerta Jaya" }))).toHaveLength(1);
    expect(told.filter((t) => t === textOf("membership.chair_rejected", { sentra: "Sentra IKM Amerta Jaya" }))).toHaveLength(0);
  });

  test("two officers pressing Setujui and Tolak at the same moment: one decision", async () => {
    await upsertOfficer({ telegramId: OFFICER + 10, name: "Petugas Wayan", handles: { types: [], kecamatan: [] } }, ADMIN, new Date());
    const officer = await apply(CHAIR);
    const other = h.inGroup(GROUP, OFFICER + 10, { first_name: "Wayan" });
    const approve = officer.findButton("Setujui")!;
    const reject = officer.findButton("Tolak")!;
    const from = h.telegram.calls.length;
    await Promise.all([officer.press(approve.data, { raw: true, messageId: approve.messageId }), other.press(reject.data, { raw: true, messageId: reject.messageId })]);
    // Exactly one of the two presses acted (edited the application); the other was told it was decided.
    const calls = h.telegram.calls.slice(from);
    expect(calls.filter((c) => c.method === "editMessageText" && c.payload.message_id === approve.messageId)).toHaveLength(1);
    expect(calls.filter((c) => c.method === "answerCallbackQuery" && c.payload.text === textOf("membership.refused_chair_decided"))).toHaveLength(1);
    expect(await AuditLog.countDocuments({ action: { $in: ["chairperson.set", "chairperson.request_rejected"] } })).toBe(1);
    await h.drain();
    const told = h
      .user(CHAIR)
      .texts()
      .filter((t) => t === textOf("admin.you_are_chair", { sentra: "Sentra IKM Amerta Jaya" }) || t === textOf("membership.chair_rejected", { sentra: "Sentra IKM Amerta Jaya" }));
    expect(told).toHaveLength(1);
  });

  test("an old Setujui after an admin appointed someone else with /ketua is refused", async () => {
    await registerMember(
      NEWBIE,
      { name: "Nyoman Lain", phone: "+628123000003", businessName: "Jamu Nyoman", products: "jamu", kecamatan: "Mengwi", sentraId: sentra.id, sentraWish: null },
      new Date(),
    );
    const officer = await apply(CHAIR);
    const admin = h.user(ADMIN);
    await admin.send("/ketua");
    await admin.press("Sentra IKM Amerta Jaya");
    await admin.press("Nyoman Lain (Jamu Nyoman)");
    await admin.press("Ya, simpan");
    expect((await Sentra.findById(sentra.id).lean())!.chairpersonTelegramId).toBe(NEWBIE);

    const stale = await officer.press("Setujui");
    expect(refusal(stale)).toBe(textOf("membership.refused_chair_stale"));
    expect((await Sentra.findById(sentra.id).lean())!.chairpersonTelegramId).toBe(NEWBIE);
  });

  test("an application for a sentra the member has left is refused", async () => {
    await seedSentras([{ slug: "lain", name: "Sentra Lain", kecamatan: "Kuta" }]);
    const other = (await listSentras()).find((s) => s.slug === "lain")!;
    const officer = await apply(CHAIR);
    await registerMember(
      CHAIR,
      { name: "Ketut Ketua", phone: "+628123000001", businessName: "Gipang Ketut", products: "gipang", kecamatan: "Mengwi", sentraId: other.id, sentraWish: null },
      new Date(),
    );
    const stale = await officer.press("Setujui");
    expect(refusal(stale)).toBe(textOf("membership.refused_chair_stale"));
    expect((await Sentra.findById(sentra.id).lean())!.chairpersonTelegramId ?? null).toBeNull();
    expect((await Sentra.findById(other.id).lean())!.chairpersonTelegramId ?? null).toBeNull();
  });
});

test("/bantuan tells members how to apply as chairperson and what chairpersons use", async () => {
  const u = h.user(CHAIR);
  await u.send("/bantuan");
  // The help text's lines about /ketua and the chairperson's commands (/anggota), in each language.
  const chairLines = (locale: "id" | "en") =>
    textOf("help.text", undefined, locale)
      .split("\n")
      .filter((l) => /\/ketua|\/anggota/.test(l));
  expect(chairLines("id")).toHaveLength(2);
  for (const line of chairLines("id")) expect(u.lastText()).toContain(line);
  const en = h.user(CHAIR + 100, { language_code: "en" });
  await en.send("/help");
  expect(chairLines("en")).toHaveLength(2);
  expect(en.lastText()).toMatch(inOrder(...chairLines("en")));
});
