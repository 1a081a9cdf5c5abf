/**
 * A sentra's link: `/start s-<slug>` registers with the kecamatan and sentra filled in (said, not
 * asked); an unknown slug falls back to the usual questions. Admins get each sentra's link in /sentra
 * and its QR code picture with `/sentra qr <slug>`.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, testConfig, type TestUser } from "./helpers/harness";
import { Member } from "../src/db/models/member";
import { Sentra } from "../src/db/models/sentra";
import { AuditLog } from "../src/db/models/audit-log";
import { stripHtml } from "./helpers/localeText";
import { seedSentras, listSentras, SENTRA_PRODUCTS_MAX, SENTRA_PRODUCT_MAX } from "../src/domain/sentras";
import { sentraLink, sentraWhatsAppLink, slugFromStartPayload, slugFromWhatsAppText } from "../src/telegram/sentra-link";
import { tFor } from "../src/i18n";

useTestDatabase();
const t = tFor("id");
const ADMIN = 9000;

let h: Harness;
beforeEach(async () => {
  await clearDatabase();
  await seedSentras([
    { slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" },
    { slug: "kuta-rasa", name: "Sentra Kuta Rasa", kecamatan: "Kuta" },
  ]);
  h = new Harness(testConfig({ ADMIN_IDS: String(ADMIN) }));
});

/** Consent, name, phone and business, as a member answers them. */
async function answerUntilBusiness(u: TestUser, start: string) {
  await u.send(start);
  await u.press(t("onboarding.consent_yes"));
  await u.send("Ni Luh Putu Sari");
  await u.contact("6281234567890");
  await u.send("UD Sari Rasa");
}

test("registering through a sentra's link: kecamatan and sentra are filled in, not asked", async () => {
  const u = h.user(5501, { first_name: "Sari" });
  await answerUntilBusiness(u, "/start s-kuta-rasa");
  // Straight to the products (this sentra lists none: typed).
  expect(u.lastText()).toBe(t("onboarding.ask_products"));
  await u.send("keripik bayam, kue potong");
  const texts = u.texts();
  expect(texts).toContain(t("onboarding.sentra_from_link", { sentra: "Sentra Kuta Rasa", kecamatan: "Kuta" }));
  expect(texts).not.toContain(t("onboarding.ask_kecamatan"));
  expect(texts).not.toContain(t("onboarding.ask_sentra"));
  expect(u.lastText()).toBe(t("onboarding.done", { name: "Ni Luh Putu Sari", businessName: "UD Sari Rasa", kecamatan: "Kuta", sentra: "Sentra Kuta Rasa" }));
  const kuta = (await listSentras()).find((s) => s.slug === "kuta-rasa")!;
  expect(await Member.findOne({ telegramId: 5501 }).lean()).toMatchObject({ kecamatan: "Kuta", sentraId: expect.anything() });
  expect(String((await Member.findOne({ telegramId: 5501 }).lean())!.sentraId)).toBe(kuta.id);
});

test("an unknown or malformed link asks as usual", async () => {
  expect(slugFromStartPayload("s-amerta-jaya")).toBe("amerta-jaya");
  expect(slugFromStartPayload("s-Amerta")).toBeNull();
  expect(slugFromStartPayload("x-amerta")).toBeNull();
  const u = h.user(5502);
  await answerUntilBusiness(u, "/start s-tidak-ada");
  expect(u.lastText()).toBe(t("onboarding.ask_kecamatan"));
});

test("admins get each sentra's link and its QR code picture; others get nothing", async () => {
  const admin = h.user(ADMIN, { first_name: "Admin" });
  await admin.send("/sentra");
  const link = sentraLink(h.bot.botInfo.username, "amerta-jaya");
  expect(admin.lastText()).toContain(link);
  const calls = await admin.send("/sentra qr amerta-jaya");
  const photo = calls.find((c) => c.method === "sendPhoto")!;
  const png = Object.values(photo.files ?? {})[0]!.content;
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(1080); // width, from the IHDR chunk
  expect(String(photo.payload.caption)).toContain(link);
  await admin.send("/sentra qr tidak-ada");
  expect(admin.lastText()).toBe(t("admin.sentra_qr_unknown", { slug: "tidak-ada" }));

  const member = h.user(5503);
  const before = h.telegram.calls.filter((c) => c.method === "sendPhoto").length;
  await member.send("/sentra qr amerta-jaya");
  expect(h.telegram.calls.filter((c) => c.method === "sendPhoto")).toHaveLength(before);
});

test("admins set a sentra's common products with /sentra produk; the list shows them; bad lists and non-admins are refused", async () => {
  const admin = h.user(ADMIN, { first_name: "Admin" });
  await admin.send("/sentra produk amerta-jaya kue potong, pastel;  keripik   bayam, Pastel");
  const amerta = await Sentra.findOne({ slug: "amerta-jaya" }).lean();
  expect(amerta!.products).toEqual(["kue potong", "pastel", "keripik bayam"]);
  expect(admin.lastText()).toBe(t("admin.sentra_products_set", { sentra: amerta!.name, products: "kue potong, pastel, keripik bayam" }));
  expect(await AuditLog.countDocuments({ action: "sentra.products", by: ADMIN })).toBe(1);
  await admin.send("/sentra");
  expect(stripHtml(admin.lastText())).toContain(stripHtml(t("admin.sentra_products_line", { products: "kue potong, pastel, keripik bayam", slug: "amerta-jaya" })));
  // A name too long for a button: refused, the list unchanged.
  await admin.send(`/sentra produk amerta-jaya ${"k".repeat(41)}`);
  expect(admin.lastText()).toBe(t("admin.sentra_products_invalid", { max: SENTRA_PRODUCTS_MAX, length: SENTRA_PRODUCT_MAX }));
  await admin.send("/sentra produk tidak-ada pastel");
  expect(admin.lastText()).toBe(t("admin.sentra_qr_unknown", { slug: "tidak-ada" }));
  const member = h.user(5504);
  await member.send("/sentra produk amerta-jaya racun");
  expect((await Sentra.findOne({ slug: "amerta-jaya" }).lean())!.products).toEqual(["kue potong", "pastel", "keripik bayam"]);
});

test("with the WhatsApp number set: each sentra's wa.me link beside the Telegram one, and its QR code as a second picture", async () => {
  h = new Harness(
    testConfig({
      ADMIN_IDS: String(ADMIN),
      PORT: "8080",
      WHATSAPP_ACCESS_TOKEN: "EAAG" + "k".repeat(40),
      WHATSAPP_PHONE_NUMBER_ID: "106540352242922",
      WHATSAPP_APP_SECRET: "0123456789abcdef0123",
      WHATSAPP_VERIFY_TOKEN: "verify-me-1",
      WHATSAPP_NUMBER: "+62 811-0000-0000",
    }),
  );
  const wa = sentraWhatsAppLink("6281100000000", "amerta-jaya");
  expect(wa).toBe("https://wa.me/6281100000000?text=Daftar%20s-amerta-jaya");
  expect(slugFromWhatsAppText(decodeURIComponent("Daftar%20s-amerta-jaya"))).toBe("amerta-jaya");
  expect(slugFromWhatsAppText("daftar saja")).toBeNull();
  const admin = h.user(ADMIN, { first_name: "Admin" });
  await admin.send("/sentra");
  expect(admin.lastText()).toContain(wa);
  const photos = (await admin.send("/sentra qr amerta-jaya")).filter((c) => c.method === "sendPhoto");
  expect(photos).toHaveLength(2);
  expect(String(photos[1].payload.caption)).toContain(wa);
  expect(
    Object.values(photos[1].files ?? {})[0]!
      .content.subarray(0, 8)
      .toString("hex"),
  ).toBe("89504e470d0a1a0a");
});
