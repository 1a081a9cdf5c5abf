/**
 * A chairperson files a request for a member of the sentra (issue 12): one without Telegram (name and
 * phone typed) or one who is registered. The request records it, the card says "dilaporkan oleh ketua",
 * the officer who takes it gets the member's phone, and every step goes to the chairperson.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import type { Harness } from "./helpers/harness";
import { ADMIN, GROUP, addOfficer, cardText, linkGroup, newMember, officerHarness, seedWorld, groupTexts } from "./helpers/officers";
import { Request } from "../src/db/models/request";
import { setChairperson } from "../src/domain/chairpersons";
import { tFor, typeWords } from "../src/i18n";
import { stripHtml, textOf } from "./helpers/localeText";
import { codeIn } from "./helpers/requests";
import { onBehalfTypeData } from "../src/telegram/callback-data";

useTestDatabase();
const t = tFor("id");
const CHAIR = 7301;
const MEMBER = 7302;
let h: Harness;
let sentraId: string;

beforeEach(async () => {
  await clearDatabase();
  ({ sentraId } = await seedWorld());
  h = officerHarness();
  await newMember(CHAIR, { name: "Retno Ketua", sentraId, phone: "+6281300000001" });
  await newMember(MEMBER, { name: "Wayan Anggota", sentraId, phone: "+6281300000002" });
  await setChairperson(sentraId, CHAIR, ADMIN, new Date());
});

async function fileProduksi(chair: ReturnType<Harness["user"]>) {
  await chair.press(t("request.opt.bahan_baku"));
}

test("for a member without Telegram: name and phone typed; the card says so; the officer gets that phone; every step goes to the chairperson", async () => {
  const admin = await linkGroup(h);
  const made = await addOfficer(h, admin, 9101, "Made", "produksi, Mengwi");
  const chair = h.user(CHAIR);
  await chair.send("/laporkan");
  await chair.press(t("request.menu.produksi"));
  expect(chair.lastText()).toBe(t("request.on_behalf.ask_member"));
  await chair.press(t("request.on_behalf.offline"));
  expect(chair.lastText()).toBe(t("request.on_behalf.ask_name"));
  await chair.send("Men Sari");
  // A phone that is not Indonesian is refused; the question stays.
  await chair.send("12345");
  expect(chair.texts().at(-2)).toBe(t("onboarding.invalid_phone"));
  await chair.send("0812 1111 2222");
  // Her products are not known: the product is typed.
  await fileProduksi(chair);
  expect(chair.lastText()).toBe(t("request.produksi.product"));
  await chair.send("jaje uli");
  await chair.press(t("dialog.skip"));
  await chair.send("Ketan sulit dicari.");
  await chair.press(t("request.opt.terganggu_baru"));
  expect(stripHtml(chair.lastText())).toContain(stripHtml(t("request.on_behalf.summary_line", { name: "Men Sari" })));
  await chair.press(t("request.send"));
  const code = codeIn(chair.lastText());
  expect(chair.lastText()).toContain(t("request.on_behalf.sent_line", { name: "Men Sari" }));

  const saved = await Request.findOne({ code }).lean();
  expect(saved).toMatchObject({ memberTelegramId: CHAIR, onBehalf: { memberId: null, name: "Men Sari", phone: "+6281211112222" } });
  expect(String(saved!.sentraId)).toBe(sentraId);
  expect(saved!.answers).toEqual({ category: "bahan_baku", product: "jaje uli", description: "Ketan sulit dicari.", urgency: "terganggu_baru" });

  await h.drain();
  const card = await cardText(h, String(saved!._id));
  expect(card).toContain(textOf("officer.card.member_for_offline", { name: "Men Sari" }));
  expect(card).toContain(textOf("officer.card.filed_by_chair", { chair: "Retno Ketua" }));
  await made.press("Ambil", { messageId: (await Request.findById(saved!._id).lean())!.card!.messageId! });
  await h.drain();
  // Privately to the officer: her phone and the chairperson's.
  const contact = h.telegram.textsTo(9101).join("\n");
  expect(contact).toContain("+6281211112222");
  expect(contact).toContain("+6281300000001");
  // The step is told to the chairperson (in the words for a laporan).
  expect(h.telegram.textsTo(CHAIR).at(-1)).toBe(t("officer.member.claimed", { ...typeWords(t, "produksi"), code }));
  expect(groupTexts(h).join("\n")).not.toContain("81211112222");

  // The chairperson's /status names whose it is.
  await chair.send("/status");
  expect(stripHtml(chair.lastText())).toContain(stripHtml(t("status.sentra_whose_for", { member: "Men Sari" })));
});

test("for a registered member of the sentra: picked by button, their products offered, the request records them", async () => {
  const chair = h.user(CHAIR);
  await chair.send("/laporkan");
  await chair.press(t("request.menu.kemasan"));
  // The chairperson is not offered as their own member.
  const question = h.telegram.lastMessageTo(CHAIR)!;
  const buttons = (question.payload.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard.flat().map((b) => b.text);
  const wayan = buttons.find((b) => b.startsWith("Wayan Anggota — "))!;
  expect(wayan).toBeDefined();
  expect(buttons.some((b) => b.startsWith("Retno Ketua"))).toBe(false);
  await chair.press(wayan);
  expect(chair.lastText()).toBe(t("request.kemasan.product"));
  await chair.press("kue potong");
  await chair.press(t("dialog.skip"));
  await chair.press(t("request.opt.desain_label"));
  await chair.press(t("dialog.done"));
  await chair.press(t("request.opt.qty_lt100"));
  await chair.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(chair.lastText()) }).lean();
  const member = await Request.db.collection("members").findOne({ telegramId: MEMBER });
  expect(saved).toMatchObject({ memberTelegramId: CHAIR, onBehalf: { name: "Wayan Anggota", phone: "+6281300000002" }, answers: { product: "kue potong" } });
  expect(String(saved!.onBehalf!.memberId)).toBe(String(member!._id));
});

test("only a chairperson: /laporkan is unknown to a member, a forged type button does nothing", async () => {
  const member = h.user(MEMBER);
  await member.send("/laporkan");
  expect(member.lastText()).not.toBe(t("request.on_behalf.ask_member"));
  const calls = await member.press(onBehalfTypeData("produksi"), { raw: true, messageId: 1 });
  expect(calls.find((c) => c.method === "answerCallbackQuery")!.payload.text).toBe(t("dialog.stale_button"));
  expect(member.texts()).not.toContain(t("request.on_behalf.ask_member"));
  expect(await Request.countDocuments()).toBe(0);
  void GROUP;
});
