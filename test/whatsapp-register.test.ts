/**
 * Registration on WhatsApp, end to end (webhook → inbox → channel → registration machine): an
 * unknown number gives consent and answers the same questions as on Telegram (no phone question:
 * Meta verified the number), by buttons, lists and typing; bad answers get the same clear answers.
 * The member is then a member like any other — keyed from the range Telegram never uses, phone the
 * verified number — files a request, and every update reaches them on WhatsApp, none on Telegram.
 */
import { useTestDatabase } from "./helpers/db";
import { GROUP, cardMessageId, newRequest, officerWorld } from "./helpers/officers";
import type { Harness, TestUser } from "./helpers/harness";
import { WhatsAppWorld } from "./helpers/whatsapp";
import { textOf } from "./helpers/localeText";
import { htmlToWhatsApp } from "../src/whatsapp/format";
import { isWhatsAppOnlyKey } from "../src/domain/member-keys";
import { tFor, typeWords } from "../src/i18n";
import { Member } from "../src/db/models/member";
import { Request } from "../src/db/models/request";
import { Outbox } from "../src/db/models/outbox";
import { NAME_MAX } from "../src/lib/limits";
import { WhatsAppMedia } from "../src/db/models/whatsapp-media";
import { ACCOUNT_MENU } from "../src/whatsapp/account";
import { erasureYesData, languageData } from "../src/telegram/callback-data";
import { setOfficeContact } from "../src/domain/settings";
import { findMemberByTelegramId } from "../src/domain/members";

useTestDatabase();

const NUMBER = "6289912345678";
const t = tFor("id");
const plain = (key: string, vars?: Record<string, unknown>) => htmlToWhatsApp(textOf(key, vars));
let h: Harness;
let made: TestUser;
let wa: WhatsAppWorld;
let sentraId: string;

beforeEach(async () => {
  ({ h, made, sentraId } = await officerWorld());
  wa = await new WhatsAppWorld({ clock: h.clock.now }).start();
});
afterEach(async () => {
  await wa.stop();
});

const texts = () => wa.graph.textsTo(NUMBER);

async function register(): Promise<void> {
  await wa.say(wa.graph.text(NUMBER, "Halo", "Ni Ketut Ayu"));
  expect(texts().slice(-2)).toEqual([plain("whatsapp.welcome"), plain("onboarding.consent")]);
  await wa.say(wa.graph.buttonReply(NUMBER, "yes"));
  expect(texts().at(-1)).toBe(plain("onboarding.ask_name"));
  // The profile name is offered; a sticker is not a name; an overlong one is refused with its length.
  await wa.say(wa.graph.sticker(NUMBER));
  expect(texts().slice(-2)[0]).toBe(plain("dialog.expect_text"));
  await wa.say(wa.graph.text(NUMBER, "N".repeat(NAME_MAX + 1)));
  expect(texts().slice(-2)[0]).toBe(plain("dialog.too_long", { max: NAME_MAX, count: NAME_MAX + 1 }));
  await wa.say(wa.graph.buttonReply(NUMBER, "profile"));
  expect(texts().at(-1)).toBe(plain("onboarding.ask_business", { name: "Ni Ketut Ayu" }));
  await wa.say(wa.graph.text(NUMBER, "UD Keripik Ayu"));
  // Kecamatan typed by name; then the sentra from the list, typed by its number.
  await wa.say(wa.graph.text(NUMBER, "mengwi"));
  expect(texts().at(-1)).toBe(plain("onboarding.ask_sentra"));
  await wa.say(wa.graph.text(NUMBER, "1"));
  expect(texts().at(-1)).toBe(plain("onboarding.ask_products"));
  await wa.say(wa.graph.text(NUMBER, "keripik singkong, pie susu"));
}

test("an unknown number registers on WhatsApp: consent, the same questions, one member keyed apart from Telegram", async () => {
  await register();
  const done = texts().at(-1)!;
  expect(done.startsWith(plain("onboarding.done", { name: "Ni Ketut Ayu", businessName: "UD Keripik Ayu", kecamatan: "Mengwi", sentra: "Sentra IKM Amerta Jaya" }))).toBe(true);
  const m = await Member.findOne({ "whatsapp.waId": NUMBER }).lean();
  expect(m).toMatchObject({
    name: "Ni Ketut Ayu",
    phone: "+6289912345678",
    businessName: "UD Keripik Ayu",
    products: "keripik singkong, pie susu",
    kecamatan: "Mengwi",
    channel: "whatsapp",
  });
  expect(String(m!.sentraId)).toBe(sentraId);
  expect(m!.registeredAt).toBeTruthy();
  expect(m!.consentAt).toBeTruthy();
  expect(isWhatsAppOnlyKey(m!.telegramId)).toBe(true);
  // The same message delivered again registers nobody twice.
  await wa.say(wa.graph.text(NUMBER, "halo"));
  expect(await Member.countDocuments({ "whatsapp.waId": NUMBER })).toBe(1);
});

test("declining stores nothing; the next message asks again", async () => {
  await wa.say(wa.graph.text(NUMBER, "halo"));
  await wa.say(wa.graph.text(NUMBER, "2"));
  expect(texts().at(-1)).toBe(plain("whatsapp.declined"));
  expect(await Member.countDocuments()).toBe(0);
  await wa.say(wa.graph.text(NUMBER, "halo lagi"));
  expect(texts().slice(-2)).toEqual([plain("whatsapp.welcome"), plain("onboarding.consent")]);
});

test("a member registered on WhatsApp files a request and gets the officer's update there; Telegram gets nothing for them", async () => {
  await register();
  const key = (await Member.findOne({ "whatsapp.waId": NUMBER }).lean())!.telegramId;
  await wa.say(wa.graph.listReply(NUMBER, "menu:pelatihan"));
  await wa.say(wa.graph.text(NUMBER, "1"));
  await wa.say(wa.graph.buttonReply(NUMBER, "o0"));
  await wa.say(wa.graph.text(NUMBER, "lewati"));
  await wa.say(wa.graph.buttonReply(NUMBER, "send"));
  const r = await Request.findOne({ memberTelegramId: key }).lean();
  expect(r).toMatchObject({ type: "pelatihan", status: "diterima" });
  await h.drain();
  const cardId = await cardMessageId(String(r!._id));
  expect(h.telegram.textsTo(GROUP).some((x) => x.includes(r!.code))).toBe(true);
  await made.press(t("officer.btn.claim"), { messageId: cardId });
  await h.drain();
  await wa.dispatcher.drain();
  expect(texts().at(-1)).toBe(plain("officer.member.claimed", { ...typeWords(t, "pelatihan"), code: r!.code }));
  expect(h.telegram.calls.filter((c) => c.payload.chat_id === key)).toEqual([]);
  expect(await Outbox.countDocuments({ chatId: key, channel: { $ne: "whatsapp" } })).toBe(0);
});

test("the office's contact, the language and erasure from the menu: erased data is gone, an old button is refused", async () => {
  await register();
  const key = (await Member.findOne({ "whatsapp.waId": NUMBER }).lean())!.telegramId;
  await setOfficeContact("Telp (0361) 123456", 9000);
  await wa.say(wa.graph.listReply(NUMBER, ACCOUNT_MENU.contact));
  expect(texts().at(-1)).toBe(plain("admin.contact_current", { contact: "Telp (0361) 123456" }));

  await wa.say(wa.graph.text(NUMBER, "bahasa"));
  await wa.say(wa.graph.buttonReply(NUMBER, languageData("en")));
  expect(texts().at(-1)).toBe(htmlToWhatsApp(tFor("en")("language.changed")));
  expect(await Member.findOne({ telegramId: key }).lean()).toMatchObject({ locale: "en" });
  await wa.say(wa.graph.buttonReply(NUMBER, languageData("id")));

  // A voice note kept with an answer goes with the data; the request stays, without them.
  await newRequest((await findMemberByTelegramId(key))!, "kemasan");
  await WhatsAppMedia.create({ _id: "v1", memberKey: key, kind: "voice", mime: "audio/ogg", bytes: Buffer.from("x"), size: 1, createdAt: h.clock.now() });
  await wa.say(wa.graph.text(NUMBER, "hapus data"));
  expect(texts().at(-1)).toBe(plain("whatsapp.erase_confirm"));
  const stale = erasureYesData(Math.floor(h.clock.now().getTime() / 1000) - 16 * 60);
  await wa.say(wa.graph.buttonReply(NUMBER, stale));
  expect(texts().at(-1)).toBe(plain("whatsapp.erase_expired"));
  expect(await Member.countDocuments({ telegramId: key, name: "Ni Ketut Ayu" })).toBe(1);
  await wa.say(wa.graph.buttonReply(NUMBER, erasureYesData(Math.floor(h.clock.now().getTime() / 1000))));
  expect(texts().at(-1)).toBe(plain("privacy.done_title") + "\n\n" + plain("whatsapp.erase_done"));
  const erased = await Member.findOne({ telegramId: key }).lean();
  expect(erased?.name ?? null).toBeNull();
  expect(erased?.whatsapp).toBeUndefined();
  expect(await WhatsAppMedia.countDocuments({ memberKey: key })).toBe(0);
  expect(await Request.countDocuments({ memberTelegramId: key })).toBe(0);
  expect(await Request.countDocuments({ memberTelegramId: 0 })).toBe(1);
  // Writing again: a stranger, asked to register.
  await wa.say(wa.graph.text(NUMBER, "halo"));
  expect(texts().slice(-2)).toEqual([plain("whatsapp.welcome"), plain("onboarding.consent")]);
});

test("registered on WhatsApp, then on Telegram with the same number shared: one member, the requests on both", async () => {
  await register();
  const before = (await Member.findOne({ "whatsapp.waId": NUMBER }).lean())!;
  const r = await newRequest((await findMemberByTelegramId(before.telegramId))!, "kemasan");
  await h.drain();
  const u = h.user(7707, { first_name: "Ayu" });
  await u.send("/start");
  await u.press(t("onboarding.consent_yes"));
  await u.send("Ni Ketut Ayu");
  await u.contact(NUMBER);
  await u.send("UD Keripik Ayu");
  await u.press("Mengwi");
  await u.press("Sentra IKM Amerta Jaya");
  await u.send("keripik singkong, pie susu");
  expect(await Member.countDocuments({ phone: `+${NUMBER}` })).toBe(1);
  const after = (await Member.findById(before._id).lean())!;
  expect(after).toMatchObject({ telegramId: 7707, channel: "telegram", whatsapp: { waId: NUMBER } });
  expect(await Request.findById(r.id).lean()).toMatchObject({ memberTelegramId: 7707 });
  // The officer's update now goes to Telegram, where the member wrote last.
  await made.press(t("officer.btn.claim"), { messageId: await cardMessageId(r.id) });
  await h.drain();
  await wa.dispatcher.drain();
  expect(h.telegram.textsTo(7707)).toContain(t("officer.member.claimed", { ...typeWords(t, "kemasan"), code: r.code }));
});

test("through a sentra's wa.me link ('Daftar s-<slug>'): kecamatan and sentra are filled in, not asked", async () => {
  await wa.say(wa.graph.text(NUMBER, "Daftar s-amerta-jaya", "Ni Ketut Ayu"));
  expect(texts().slice(-3)).toEqual([
    plain("whatsapp.welcome"),
    plain("onboarding.sentra_from_link", { sentra: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }),
    plain("onboarding.consent"),
  ]);
  await wa.say(wa.graph.buttonReply(NUMBER, "yes"));
  await wa.say(wa.graph.buttonReply(NUMBER, "profile"));
  await wa.say(wa.graph.text(NUMBER, "UD Keripik Ayu"));
  expect(texts().at(-1)).toBe(plain("onboarding.ask_products"));
  await wa.say(wa.graph.text(NUMBER, "keripik singkong"));
  expect(
    texts()
      .at(-1)!
      .startsWith(plain("onboarding.done", { name: "Ni Ketut Ayu", businessName: "UD Keripik Ayu", kecamatan: "Mengwi", sentra: "Sentra IKM Amerta Jaya" })),
  ).toBe(true);
  const m = (await Member.findOne({ "whatsapp.waId": NUMBER }).lean())!;
  expect(m.kecamatan).toBe("Mengwi");
  expect(String(m.sentraId)).toBe(sentraId);
  expect(texts()).not.toContain(plain("onboarding.ask_kecamatan"));
});
