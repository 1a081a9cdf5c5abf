import { licenceProfile } from "../src/telegram/program-messages";
import { licenceProfileData } from "../src/telegram/callback-data";
import type { MemberView } from "../src/domain/members";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, TestUser } from "./helpers/harness";
import { Member } from "../src/db/models/member";
import { Sentra } from "../src/db/models/sentra";
import { ConversationState } from "../src/db/models/conversation-state";
import { seedSentras } from "../src/domain/sentras";
import { tFor } from "../src/i18n";
import { anyOf, GREETING_KEYS, templateRegex } from "./helpers/localeText";

const t = tFor("id");

useTestDatabase();

let h: Harness;
beforeEach(async () => {
  await clearDatabase();
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  h = new Harness();
});

async function registerUntilPhone(u: TestUser) {
  await u.send("/start");
  const greeting = anyOf(GREETING_KEYS);
  expect(u.texts().join("\n")).toMatch(templateRegex("start.welcome_new", { vars: { greeting } }));
  expect(u.lastText()).toBe(t("onboarding.consent"));
  await u.press("Setuju");
  expect(u.lastText()).toBe(t("onboarding.ask_name"));
  await u.send("Ni Luh Putu Sari");
  expect(u.lastText()).toBe(t("onboarding.ask_phone"));
  await u.contact("6281234567890");
  expect(u.lastText()).toBe(t("onboarding.ask_business", { name: "Ni Luh Putu Sari" }));
}

async function finish(u: TestUser) {
  await u.send("UD Sari Rasa");
  expect(u.lastText()).toBe(t("onboarding.ask_kecamatan"));
  await u.press("Mengwi");
  expect(u.lastText()).toBe(t("onboarding.ask_sentra"));
  await u.press("Sentra IKM Amerta Jaya");
  // This sentra lists no common products: they are typed.
  expect(u.lastText()).toBe(t("onboarding.ask_products"));
  await u.send("keripik bayam, kue potong");
  expect(u.lastText()).toBe(t("onboarding.done", { name: "Ni Luh Putu Sari", businessName: "UD Sari Rasa", kecamatan: "Mengwi", sentra: "Sentra IKM Amerta Jaya" }));
}

test("a full onboarding stores the member with a normalised phone and shows the main menu", async () => {
  const u = h.user(5001, { first_name: "Sari" });
  await registerUntilPhone(u);
  await finish(u);
  const m = await Member.findOne({ telegramId: 5001 }).lean();
  const sentra = await Sentra.findOne({ slug: "amerta-jaya" }).lean();
  expect(m).toMatchObject({
    name: "Ni Luh Putu Sari",
    phone: "+6281234567890",
    businessName: "UD Sari Rasa",
    products: "keripik bayam, kue potong",
    kecamatan: "Mengwi",
  });
  expect(String(m!.sentraId)).toBe(String(sentra!._id));
  expect(m!.registeredAt).toBeInstanceOf(Date);
  const last = h.telegram.lastMessageTo(5001)!;
  expect(JSON.stringify(last.payload.reply_markup)).toContain(JSON.stringify(t("menu.profile")));
  expect(await ConversationState.countDocuments()).toBe(0);
});

test("the dialogue continues on a brand-new bot instance after the phone step", async () => {
  const u = h.user(5002);
  await registerUntilPhone(u);
  expect(await ConversationState.countDocuments()).toBe(1);
  h.restart();
  await finish(u);
  expect(await Member.countDocuments({ telegramId: 5002, registeredAt: { $exists: true } })).toBe(1);
});

test("names and the business name are one line (line breaks and runs of spaces become one space); the products list keeps its lines", async () => {
  const u = h.user(5003);
  await u.send("/start");
  await u.press("Setuju");
  await u.send("  Ni Luh\nPutu \r\n\t Sari ");
  await u.contact("6281234567890");
  expect(u.lastText()).toBe(t("onboarding.ask_business", { name: "Ni Luh Putu Sari" }));
  await u.send("UD Sari\n\nRasa");
  await u.press("Mengwi");
  await u.press("Sentra IKM Amerta Jaya");
  await u.send("keripik bayam\nkue  potong");
  expect(await Member.findOne({ telegramId: u.id }).lean()).toMatchObject({
    name: "Ni Luh Putu Sari",
    businessName: "UD Sari Rasa",
    products: "keripik bayam\nkue potong",
  });
});

test("the sentra step lists only the active sentras of the chosen kecamatan (with more than 99 sentras in all); one elsewhere cannot be picked", async () => {
  await Sentra.insertMany([
    ...Array.from({ length: 105 }, (_, i) => ({ slug: `kuta-${i}`, name: `Sentra Kuta ${String(i).padStart(3, "0")}`, kecamatan: "Kuta", active: true })),
    { slug: "mengwi-tutup", name: "Sentra Mengwi Tutup", kecamatan: "Mengwi", active: false },
    { slug: "mengwi-baru", name: "Sentra Mengwi Baru", kecamatan: "Mengwi", active: true },
  ]);
  const u = h.user(5004);
  await registerUntilPhone(u);
  await u.send("UD Sari Rasa");
  await u.press("Mengwi");
  const question = h.telegram.lastMessageTo(u.id)!;
  const labels = (question.payload.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard.flat().map((b) => b.text);
  expect(labels).toEqual(["Sentra IKM Amerta Jaya", "Sentra Mengwi Baru", "Belum tergabung"]);
  const messageId = (question.result as { message_id: number }).message_id;
  // A forged button beyond the list (in the old list of every sentra it was one in Kuta), and a typed name of one in Kuta.
  for (const data of ["c:3", "c:100", "c:1000"]) {
    const calls = await u.press(data, { raw: true, messageId });
    expect(calls.find((c) => c.method === "answerCallbackQuery")!.payload.text).toBe(t("dialog.stale_button"));
  }
  await u.send("Sentra Kuta 000");
  expect(u.texts().at(-2)).toBe(t("dialog.expect_choice"));
  await u.press("Sentra Mengwi Baru");
  await u.send("keripik bayam");
  expect(u.lastText()).toBe(t("onboarding.done", { name: "Ni Luh Putu Sari", businessName: "UD Sari Rasa", kecamatan: "Mengwi", sentra: "Sentra Mengwi Baru" }));
  const m = await Member.findOne({ telegramId: u.id }).lean();
  const baru = await Sentra.findOne({ slug: "mengwi-baru" }).lean();
  expect(String(m!.sentraId)).toBe(String(baru!._id));
});

test("the consent says who sees what: the sentra's chairperson, the officers, the phone only for the one handling it", () => {
  for (const locale of ["id", "en"] as const) {
    const consent = tFor(locale)("onboarding.consent");
    // The words the member needs to decide: who, and the phone's limit; and how to erase.
    const who = locale === "id" ? ["ketua sentra", "petugas Diskop", "nomor HP", "/hapusdata"] : ["chairperson", "Diskop officers", "phone number", "/hapusdata"];
    for (const w of who) expect(consent).toContain(w);
  }
});

test("an answered question shows its answer with one tick, also when the button had its own", async () => {
  const u = h.user(5099, { first_name: "Sari" });
  await u.send("/start");
  const calls = await u.press(t("onboarding.consent_yes"));
  const edit = calls.find((c) => c.method === "editMessageText")!;
  // The button reads "✅ Setuju"; the question then ends with one tick, not "✅ <b>✅ Setuju</b>".
  expect(t("onboarding.consent_yes").startsWith("✅")).toBe(true);
  expect(String(edit.payload.text)).toBe(`${t("onboarding.consent")}\n\n✅ <b>${t("onboarding.consent_yes").replace(/^✅\s*/u, "")}</b>`);
});

describe("products offered from the sentra's list", () => {
  const COMMON = ["kue potong", "pastel", "keripik bayam", "gipang"];
  beforeEach(async () => {
    await Sentra.updateOne({ slug: "amerta-jaya" }, { $set: { products: COMMON } });
  });

  const buttonsOf = (u: TestUser) => {
    const q = h.telegram.lastMessageTo(u.id)!;
    return (q.payload.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard.flat().map((b) => b.text);
  };

  test("ticked buttons plus a typed 'Lainnya' become the member's product list, each a button in requests", async () => {
    const u = h.user(5010);
    await registerUntilPhone(u);
    await u.send("UD Sari Rasa");
    await u.press("Mengwi");
    await u.press("Sentra IKM Amerta Jaya");
    expect(u.lastText()).toBe(t("onboarding.ask_products_pick"));
    expect(buttonsOf(u)).toEqual([...COMMON.map((p) => `▫️ ${p}`), `▫️ ${t("onboarding.other_products")}`, t("dialog.done")]);
    // Nothing ticked yet: Selesai is refused, nothing is saved.
    await u.press(t("dialog.done"));
    expect(await Member.countDocuments({ telegramId: u.id, registeredAt: { $exists: true } })).toBe(0);
    await u.press(`▫️ pastel`);
    await u.press(`▫️ gipang`);
    await u.press(`▫️ ${t("onboarding.other_products")}`);
    await u.press(t("dialog.done"));
    expect(u.lastText()).toBe(t("onboarding.ask_other_products"));
    await u.send("pie susu, keripik talas");
    expect(u.lastText()).toBe(t("onboarding.done", { name: "Ni Luh Putu Sari", businessName: "UD Sari Rasa", kecamatan: "Mengwi", sentra: "Sentra IKM Amerta Jaya" }));
    const m = await Member.findOne({ telegramId: u.id }).lean();
    expect(m!.products).toBe("pastel, gipang, pie susu, keripik talas");
    // The request dialogues offer the four as separate buttons.
    await u.send(t("request.menu.kemasan"));
    expect(buttonsOf(u)).toEqual(["pastel", "gipang", "pie susu", "keripik talas", t("request.other_product")]);
  });

  test("changing the data shows the current products ticked, including one not on the sentra's list", async () => {
    const u = h.user(5011);
    await registerUntilPhone(u);
    await u.send("UD Sari Rasa");
    await u.press("Mengwi");
    await u.press("Sentra IKM Amerta Jaya");
    await u.press(`▫️ pastel`);
    await u.press(`▫️ ${t("onboarding.other_products")}`);
    await u.press(t("dialog.done"));
    await u.send("jamu beras kencur");
    expect((await Member.findOne({ telegramId: u.id }).lean())!.products).toBe("pastel, jamu beras kencur");
    // The member changes their data: every earlier answer is kept by its button.
    await u.send("/profil");
    await u.send("Ni Luh Putu Sari");
    await u.send("0812 3456 7890");
    await u.send("UD Sari Rasa");
    await u.press("Mengwi");
    await u.press("Sentra IKM Amerta Jaya");
    expect(u.lastText()).toBe(t("onboarding.ask_products_pick"));
    expect(buttonsOf(u)).toEqual([
      ...COMMON.map((p) => (p === "pastel" ? `✅ ${p}` : `▫️ ${p}`)),
      "✅ jamu beras kencur",
      `▫️ ${t("onboarding.other_products")}`,
      t("dialog.done"),
    ]);
    await u.press("✅ pastel");
    await u.press("▫️ kue potong");
    await u.press(t("dialog.done"));
    expect((await Member.findOne({ telegramId: u.id }).lean())!.products).toBe("kue potong, jamu beras kencur");
  });
});

/** The rest of /profil after the phone, typed the same as at registration. */
async function finishEdit(u: TestUser) {
  await u.send("UD Sari Rasa");
  await u.press("Mengwi");
  await u.press("Sentra IKM Amerta Jaya");
  await u.send("keripik bayam, kue potong");
  const [updated, licences] = u.texts().slice(-2);
  expect(updated).toBe(t("onboarding.updated", { name: "Ni Luh Putu Sari", businessName: "UD Sari Rasa", kecamatan: "Mengwi", sentra: "Sentra IKM Amerta Jaya" }));
  // Then the licences, to change in a tap each (programs may require them).
  expect(licences).toBe(licenceProfile(t, (await Member.findOne({ telegramId: u.id }).lean())?.licences as MemberView["licences"]).text);
  expect(u.findButton(t("program.licence_set_yes", { licence: t("program.licence_short.nib") }))?.data).toBe(licenceProfileData("nib", true));
}

test("a phone shared with the contact button counts as verified; a typed one does not, and keeping the same phone keeps it", async () => {
  const u = h.user(5009, { first_name: "Sari" });
  await registerUntilPhone(u);
  await finish(u);
  const verifiedAt = (await Member.findOne({ telegramId: 5009 }).lean())!.phoneVerifiedAt;
  expect(verifiedAt).toBeInstanceOf(Date);
  // Changing the data with the same number typed: still verified (it is the number that was shared).
  await u.send("/profil");
  await u.send("Ni Luh Putu Sari");
  await u.send("0812 3456 7890");
  await finishEdit(u);
  expect((await Member.findOne({ telegramId: 5009 }).lean())!.phoneVerifiedAt).toEqual(verifiedAt);
  // Another number typed: not verified any more (a WhatsApp number with it asks before linking).
  await u.send("/profil");
  await u.send("Ni Luh Putu Sari");
  await u.send("0813 1111 2222");
  await finishEdit(u);
  expect(await Member.findOne({ telegramId: 5009 }).lean()).toMatchObject({ phone: "+6281311112222", phoneVerifiedAt: null });
});
