/**
 * /hapusdata: after a confirmation, nothing in the database names the member any more (name, phone,
 * business, products, Telegram id), their requests stay for the statistics, anonymised, and their
 * voice notes and unfinished dialogue are gone. Checked on every collection, not field by field.
 */
import mongoose from "mongoose";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { RecordingHarness, registeredMember, fillSteps, codeIn } from "./helpers/requests";
import { testConfig } from "./helpers/harness";
import { Member } from "../src/db/models/member";
import { Request } from "../src/db/models/request";
import { Sentra } from "../src/db/models/sentra";
import { ConversationState } from "../src/db/models/conversation-state";
import { ChairRequest } from "../src/db/models/chair-request";
import { audit } from "../src/domain/audit";
import { findMemberByTelegramId } from "../src/domain/members";
import { tFor } from "../src/i18n";

useTestDatabase();
const t = tFor("id");
// Distinctive values, so a search through every stored byte cannot hit something else by chance.
const ID = 987654321;
const GROUP = -1001122334455;
const PHONE_DIGITS = "81234567890";

beforeEach(async () => {
  await clearDatabase();
});

/** Every document of every collection, as JSON text. */
async function everything(): Promise<string> {
  const out: string[] = [];
  for (const c of await mongoose.connection.db!.collections()) out.push(JSON.stringify(await c.find().toArray()));
  return out.join("\n");
}

async function submit(h: RecordingHarness, type: "produksi" | "modal") {
  const u = h.user(ID);
  await u.send(t(`request.menu.${type}`));
  await fillSteps(u, type);
  await u.press(t("request.send"));
  return codeIn(u.lastText());
}

test("confirmed: personal data gone everywhere, requests kept anonymised, photos kept, voice notes gone, the officers' cards edited", async () => {
  const h = new RecordingHarness(testConfig({ OFFICER_GROUP_ID: String(GROUP) }));
  const u = h.user(ID);
  const member = await registeredMember(ID);
  const produksi = await submit(h, "produksi");
  const modal = await submit(h, "modal");
  // The alerts are in the officers' group, naming the member.
  await h.deliver();
  const cards = h.telegram.callsOf("sendMessage", GROUP);
  expect(cards.map((c) => String(c.payload.text)).filter((text) => text.includes(member.name!))).toHaveLength(2);
  await Sentra.updateOne({ _id: member.sentraId }, { $set: { chairpersonTelegramId: ID } });
  await audit(1, "chairperson.set", { sentraId: member.sentraId, memberTelegramId: ID }, new Date());
  // Their own pending chair application, and another member's naming them as the chair to replace.
  const otherApplicant = new mongoose.Types.ObjectId();
  await ChairRequest.create({ memberId: member.id, sentraId: member.sentraId!, previousChair: null });
  await ChairRequest.create({ memberId: otherApplicant, sentraId: member.sentraId!, previousChair: ID });
  const before = await everything();
  expect(before).toContain(String(ID));
  expect(before).toContain(PHONE_DIGITS);

  await u.send("/hapusdata");
  expect(u.lastText()).toBe(t("privacy.confirm"));
  await u.press(t("privacy.confirm_no"));
  expect(u.lastText()).toBe(t("privacy.kept"));
  expect((await findMemberByTelegramId(ID))?.name).toBe(member.name);

  await u.send("/hapusdata");
  const calls = await u.press(t("privacy.confirm_yes"));
  // They chaired their sentra: their command menu loses the sentra's commands (they are no staff: it goes).
  expect(calls.map((c) => c.method)).toEqual(["answerCallbackQuery", "editMessageText", "sendMessage", "deleteMyCommands", "deleteMyCommands", "deleteMyCommands"]);
  expect(calls[3].payload).toEqual({ scope: { type: "chat", chat_id: ID } });
  expect(calls[1].payload.text).toBe(t("privacy.done_title"));
  expect(calls[2].payload).toMatchObject({ text: t("privacy.done"), reply_markup: { remove_keyboard: true } });

  // The cards are edited: the name is gone from the group too. Nothing more goes to the member.
  const sentToMember = h.telegram.calls.filter((c) => Number(c.payload.chat_id) === ID).length;
  await h.deliver();
  const edits = h.telegram.callsOf("editMessageText", GROUP);
  expect(edits).toHaveLength(2);
  for (const e of edits) {
    expect(String(e.payload.text)).not.toContain(member.name!);
    expect(String(e.payload.text)).toContain(t("officer.card.member_erased"));
  }
  expect(h.telegram.calls.filter((c) => Number(c.payload.chat_id) === ID).length).toBe(sentToMember);

  const after = await everything();
  expect(after).not.toContain(String(ID));
  expect(after).not.toContain(PHONE_DIGITS);
  expect(after).not.toContain(member.name!);
  expect(after).not.toContain("UD Sari Rasa");
  expect(after).not.toContain("keripik bayam, kue potong");

  const stub = await Member.findById(member.id).lean();
  expect(stub).toMatchObject({ erasedAt: expect.any(Date) });
  expect(stub!.telegramId).toBeLessThan(0);
  for (const field of ["name", "phone", "businessName", "products", "locale", "registeredAt", "consentAt"]) expect(stub).not.toHaveProperty(field);
  expect(await findMemberByTelegramId(ID)).toBeNull();

  const [p, m] = await Promise.all([Request.findOne({ code: produksi }).lean(), Request.findOne({ code: modal }).lean()]);
  for (const r of [p!, m!]) {
    expect(r).toMatchObject({ memberTelegramId: 0, memberId: stub!._id, memberUnreachableAt: expect.any(Date) });
    expect(r.timeline.length).toBeGreaterThan(0);
    expect(r.timeline.every((e) => e.by === 0 || e.role !== "member")).toBe(true);
    expect(r.timeline.at(-1)).toMatchObject({ role: "system", kind: "note", note: t("privacy.erased_note") });
  }
  // The problem itself stays for the office: answers and the photo; the voice note goes.
  expect(p!.answers).toMatchObject({ category: "bahan_baku", product: "kue potong" });
  expect(p!.attachments.map((a) => a.kind)).toEqual(["photo"]);
  expect(m!.attachments).toEqual([]);
  expect(await Sentra.countDocuments({ chairpersonTelegramId: { $ne: null } })).toBe(0);
  expect(await ConversationState.countDocuments()).toBe(0);
  expect(await ChairRequest.find({}, { _id: 0, memberId: 1, previousChair: 1 }).lean()).toEqual([{ memberId: otherApplicant, previousChair: null }]);

  // The same Telegram user may come back: a new registration, none of the old requests.
  await u.send("/start");
  expect(u.texts().at(-2)).toContain(t("start.welcome_new", { greeting: "" }).split("\n")[1]);
  expect(u.lastText()).toBe(t("onboarding.consent"));
  expect(await Member.countDocuments({ erasedAt: null })).toBe(0);
});

test("mid-dialogue: /hapusdata asks to leave first, then offers the erasure; the dialogue state goes", async () => {
  const h = new RecordingHarness();
  const u = h.user(ID);
  await registeredMember(ID);
  await u.send(t("request.menu.produksi"));
  expect(await ConversationState.countDocuments()).toBe(1);
  await u.send("/hapusdata");
  expect(u.findButton(t("dialog.leave_yes"))).toBeDefined();
  await u.press(t("dialog.leave_yes"));
  expect(u.lastText()).toBe(t("privacy.confirm"));
  await u.press(t("privacy.confirm_yes"));
  expect(await ConversationState.countDocuments()).toBe(0);
  expect(await findMemberByTelegramId(ID)).toBeNull();
});

test("an old confirmation button is refused; someone without data is told so", async () => {
  const h = new RecordingHarness();
  const u = h.user(ID);
  await registeredMember(ID);
  const old = Math.floor(Date.now() / 1000) - 16 * 60;
  await u.press(`pv:yes:${old}`, { raw: true });
  expect(u.lastText()).toBe(t("privacy.expired"));
  expect((await findMemberByTelegramId(ID))?.registered).toBe(true);

  const stranger = h.user(ID + 1);
  await stranger.send("/hapusdata");
  expect(stranger.lastText()).toBe(t("privacy.nothing"));
});
