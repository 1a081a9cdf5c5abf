/**
 * What works outside the request dialogues: the onboarding in English, /bahasa (stored), a
 * registered member's /start (main menu) and "change my data" (edit mode), typed phone formats,
 * the helpful answer to anything not understood, /bantuan and /batal outside a dialogue, and the
 * command lists registered with Telegram.
 */
import type { Message } from "grammy/types";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, type ApiCall, type TestUser } from "./helpers/harness";
import { Member } from "../src/db/models/member";
import { ConversationState } from "../src/db/models/conversation-state";
import { seedSentras } from "../src/domain/sentras";
import { registerCommands, PRIVATE_COMMANDS } from "../src/bot/commands";
import { tFor } from "../src/i18n";
import { anyOf, GREETING_KEYS, templateRegex } from "./helpers/localeText";

useTestDatabase();

const id = tFor("id");
const en = tFor("en");

let h: Harness;
beforeEach(async () => {
  await clearDatabase();
  await seedSentras([
    { slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" },
    { slug: "kuta-rasa", name: "Sentra IKM Kuta Rasa", kecamatan: "Kuta" },
  ]);
  h = new Harness();
});

/** Labels of the reply keyboard sent with a call (the main menu, the phone keyboard). */
function keyboardLabels(call: ApiCall | undefined): string[] {
  const markup = call?.payload.reply_markup as { keyboard?: { text: string }[][] } | undefined;
  return (markup?.keyboard ?? []).flat().map((b) => b.text);
}

function texts(calls: ApiCall[]): string[] {
  return calls.filter((c) => c.method === "sendMessage" && !c.failed).map((c) => String(c.payload.text));
}

/** A complete Indonesian onboarding with typed answers; returns the stored member. */
async function register(u: TestUser, phone = "0812 3456 7890") {
  await u.send("/start");
  await u.press("Setuju");
  await u.send("Ni Made Ayu");
  await u.send(phone);
  await u.send("UD Ayu Rasa");
  await u.press("Mengwi");
  await u.press("Sentra IKM Amerta Jaya");
  await u.send("pastel, gipang");
  expect(u.lastText()).toBe(id("onboarding.done", { name: "Ni Made Ayu", businessName: "UD Ayu Rasa", kecamatan: "Mengwi", sentra: "Sentra IKM Amerta Jaya" }));
  return (await Member.findOne({ telegramId: u.id }).lean())!;
}

describe("English", () => {
  test("a full onboarding for a Telegram client in English is in English, bad input included, and stores the language", async () => {
    const u = h.user(8001, { first_name: "Wayan", language_code: "en" });
    const start = await u.send("/start");
    expect(texts(start)[0]).toMatch(templateRegex("start.welcome_new", { locale: "en", anchor: "whole", vars: { greeting: anyOf(GREETING_KEYS, "en") } }));
    expect(u.lastText()).toBe(en("onboarding.consent"));
    await u.press("I agree");
    expect(u.lastText()).toBe(en("onboarding.ask_name"));
    expect(texts(await u.sticker())).toEqual([en("dialog.sticker_text"), en("onboarding.ask_name")]);
    await u.press("Use the name: Wayan");
    expect(u.lastText()).toBe(en("onboarding.ask_phone"));
    expect(keyboardLabels(h.telegram.lastMessageTo(u.id))).toContain(en("onboarding.share_phone"));
    expect(texts(await u.contact("+6285711112222", 99))).toEqual([en("onboarding.foreign_contact"), en("onboarding.ask_phone")]);
    await u.contact("6281299998888");
    expect(u.lastText()).toBe(en("onboarding.ask_business", { name: "Wayan" }));
    await u.send("Wayan Snacks");
    await u.press("Kuta Utara");
    expect(u.lastText()).toBe(en("onboarding.ask_sentra"));
    await u.press("Not yet a member");
    expect(u.lastText()).toBe(en("onboarding.why_sentra"));
    await u.press("I want to join a sentra");
    expect(u.lastText()).toBe(en("onboarding.ask_products"));
    await u.send("keripik ladrang");
    expect(u.lastText()).toBe(en("onboarding.done", { name: "Wayan", businessName: "Wayan Snacks", kecamatan: "Kuta Utara", sentra: "Not yet a member" }));
    expect(keyboardLabels(h.telegram.lastMessageTo(u.id))).toContain(en("menu.profile"));

    // Nothing Indonesian was said to this member.
    for (const text of u.texts()) expect(text).not.toMatch(/Bapak\/Ibu|Silakan|Terima kasih/);
    expect(await Member.findOne({ telegramId: u.id }).lean()).toMatchObject({
      locale: "en",
      name: "Wayan",
      phone: "+6281299998888",
      businessName: "Wayan Snacks",
      products: "keripik ladrang",
      kecamatan: "Kuta Utara",
      sentraId: null,
      sentraWish: "join",
    });
    // The stored language wins over the client's setting from now on.
    const u2 = h.user(8001, { first_name: "Wayan", language_code: "id" });
    expect(texts(await u2.send("/start"))[0]).toMatch(
      templateRegex("start.welcome_back", { locale: "en", anchor: "whole", vars: { greeting: anyOf(GREETING_KEYS, "en"), name: "Wayan" } }),
    );
  });
});

describe("/bahasa", () => {
  test("a guest switches to English: stored, and the onboarding (also after a restart) is in English", async () => {
    const u = h.user(8101);
    await u.send("/bahasa");
    expect(u.lastText()).toBe(id("language.choose"));
    const calls = await u.press("English");
    expect(calls.find((c) => c.method === "editMessageText")?.payload.text).toBe(en("language.changed"));
    expect(await Member.findOne({ telegramId: u.id }).lean()).toMatchObject({ locale: "en" });
    expect(await Member.countDocuments({ registeredAt: { $exists: true } })).toBe(0);
    // Kept until the registration ends; declined, it goes (test/dialogue-guard.test.ts).

    h.restart();
    await u.send("/start");
    expect(u.lastText()).toBe(en("onboarding.consent"));
    await u.press("I agree");
    expect(u.lastText()).toBe(en("onboarding.ask_name"));
  });

  test("a registered member switches to English and back; the menu follows", async () => {
    const u = h.user(8102);
    await register(u);
    await u.send("/bahasa");
    const toEn = await u.press("English");
    expect(texts(toEn)).toEqual([en("menu.shown")]);
    expect(keyboardLabels(toEn.find((c) => c.method === "sendMessage"))).toContain(en("menu.profile"));
    expect((await Member.findOne({ telegramId: u.id }).lean())?.locale).toBe("en");
    expect(texts(await u.send("/start"))[0]).toMatch(
      templateRegex("start.welcome_back", { locale: "en", anchor: "whole", vars: { greeting: anyOf(GREETING_KEYS, "en"), name: "Ni Made Ayu" } }),
    );

    // The menu button works in the language it was shown in.
    await u.send(en("menu.language"));
    const toId = await u.press("Bahasa Indonesia");
    expect(toId.find((c) => c.method === "editMessageText")?.payload.text).toBe(id("language.changed"));
    expect(keyboardLabels(toId.find((c) => c.method === "sendMessage"))).toContain(id("menu.profile"));
    expect((await Member.findOne({ telegramId: u.id }).lean())?.locale).toBe("id");
  });

  test("an English client who picks Bahasa Indonesia is onboarded in Indonesian", async () => {
    const u = h.user(8103, { language_code: "en" });
    await u.send("/bahasa");
    await u.press("Bahasa Indonesia");
    await u.send("/start");
    expect(u.lastText()).toBe(id("onboarding.consent"));
  });
});

describe("a registered member", () => {
  test("/start gives the greeting, the main menu and a way to change the data", async () => {
    const u = h.user(8201);
    await register(u);
    const calls = await u.send("/start");
    const [welcome, hint] = calls.filter((c) => c.method === "sendMessage");
    expect(String(welcome.payload.text)).toMatch(templateRegex("start.welcome_back", { anchor: "whole", vars: { greeting: anyOf(GREETING_KEYS), name: "Ni Made Ayu" } }));
    expect(keyboardLabels(welcome)).toEqual(expect.arrayContaining([id("menu.profile"), id("menu.help"), id("menu.language")]));
    expect(hint.payload.text).toBe(id("start.change_data_hint"));
    expect(u.findButton(id("menu.profile"))).toBeDefined();
    // No dialogue was started.
    expect(await ConversationState.countDocuments({ data: { $regex: "onboarding" } })).toBe(0);
  });

  test("'Ubah data saya' changes the data: no new consent, current answers offered, registration date kept", async () => {
    const u = h.user(8202);
    const before = await register(u);
    await u.send("/start");
    // Straight to the name: consent was given at registration.
    expect(texts(await u.press(id("menu.profile")))).toEqual([id("onboarding.ask_name")]);
    await u.press("Tetap: Ni Made Ayu");
    // The phone keyboard offers the stored number; pressing it sends it as text.
    expect(keyboardLabels(h.telegram.lastMessageTo(u.id))).toEqual([id("onboarding.share_phone"), "+6281234567890"]);
    await u.send("+6281234567890");
    expect(u.findButton("Tetap: UD Ayu Rasa")).toBeDefined();
    await u.send("UD Ayu Rasa Sejahtera");
    await u.press(/^Kuta$/); // not "Kuta Selatan" or "Kuta Utara"
    // Only the sentras of the chosen kecamatan are offered.
    const sentraPrompt = h.telegram.lastMessageTo(u.id)!;
    const labels = (sentraPrompt.payload.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard.flat().map((b) => b.text);
    expect(labels).toEqual(["Sentra IKM Kuta Rasa", "Belum tergabung"]);
    await u.press("Belum tergabung");
    await u.press("Ingin bergabung ke sentra");
    await u.press("Tetap: pastel, gipang");
    expect(u.texts().at(-2)).toBe(id("onboarding.updated", { name: "Ni Made Ayu", businessName: "UD Ayu Rasa Sejahtera", kecamatan: "Kuta", sentra: "Belum tergabung" }));

    const after = await Member.find({ telegramId: u.id }).lean();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      name: "Ni Made Ayu",
      phone: "+6281234567890",
      businessName: "UD Ayu Rasa Sejahtera",
      products: "pastel, gipang",
      kecamatan: "Kuta",
      sentraId: null,
      sentraWish: "join",
    });
    expect(after[0].registeredAt).toEqual(before.registeredAt);
    expect(after[0].consentAt).toEqual(before.consentAt);
  });

  test("the menu button and /profil start the change of data too; /batal keeps the old data", async () => {
    const u = h.user(8203);
    await register(u);
    await u.send(id("menu.profile"));
    expect(u.lastText()).toBe(id("onboarding.ask_name"));
    await u.send("Nama Lain");
    const cancel = await u.send("/batal");
    expect(texts(cancel)).toEqual([id("dialog.cancelled")]);
    // A registered member gets the main menu back.
    expect(keyboardLabels(cancel[0])).toContain(id("menu.profile"));
    await u.send("/profil");
    expect(u.lastText()).toBe(id("onboarding.ask_name"));
    expect((await Member.findOne({ telegramId: u.id }).lean())?.name).toBe("Ni Made Ayu");
  });
});

describe("typed phone numbers", () => {
  test.each([
    ["08123456789", "+628123456789"],
    ["0812-3456-7890", "+6281234567890"],
    ["0812 3456 7890", "+6281234567890"],
    ["+62 812 3456 7890", "+6281234567890"],
    ["+62-812-3456-7890", "+6281234567890"],
    ["62 812 3456 7890", "+6281234567890"],
    ["6281234567890", "+6281234567890"],
    ["(0361) 412345", "+62361412345"],
  ])("%s is stored as %s", async (typed, stored) => {
    const u = h.user(8300);
    expect((await register(u, typed)).phone).toBe(stored);
  });
});

describe("anything else", () => {
  test("a guest's text, sticker, photo or unknown command gets a helpful answer", async () => {
    const u = h.user(8401);
    for (const act of [() => u.send("halo"), () => u.sticker(), () => u.photo(), () => u.voice(), () => u.send("/tidakada")]) {
      expect(texts(await act())).toEqual([id("unhandled.guest")]);
    }
    expect(await Member.countDocuments()).toBe(0);
  });

  test("a member's text gets a helpful answer with the main menu; an English guest's in English", async () => {
    const u = h.user(8402);
    await register(u);
    const calls = await u.send("apa kabar?");
    // No open request: the menu, with a one-line hint (a member with open requests is asked which one: free-messages test).
    expect(texts(calls)).toEqual([id("unhandled.member_no_open")]);
    expect(keyboardLabels(calls[0])).toContain(id("menu.profile"));
    expect(texts(await h.user(8403, { language_code: "en" }).send("hello"))).toEqual([en("unhandled.guest")]);
  });

  test("an old button outside any dialogue is answered, /batal says there is nothing to stop, /bantuan explains", async () => {
    const u = h.user(8404);
    await u.send("/start");
    await u.send("/batal");
    const consentId = (h.telegram.callsOf("sendMessage", u.id)[1].result as Message).message_id;
    const stale = await u.press("c:0", { raw: true, messageId: consentId });
    // A guest has no main menu to choose from: pointed to /start.
    expect(stale.map((c) => [c.method, c.payload.text])).toEqual([["answerCallbackQuery", id("dialog.old_button_guest")]]);
    expect(await Member.countDocuments()).toBe(0);
    expect(texts(await u.send("/batal"))).toEqual([id("dialog.nothing_to_cancel")]);
    expect(texts(await u.send("/bantuan"))).toEqual([id("help.text")]);
  });
});

test("registerCommands sets the private-chat commands in Indonesian (default) and English", async () => {
  await registerCommands(h.bot.api);
  const calls = h.telegram.callsOf("setMyCommands");
  expect(calls.map((c) => c.payload.language_code)).toEqual([undefined, "id", "en"]);
  for (const call of calls) {
    expect(call.payload.scope).toEqual({ type: "all_private_chats" });
    const t = call.payload.language_code === "en" ? en : id;
    const commands = call.payload.commands as { command: string; description: string }[];
    expect(commands.map((c) => c.command)).toEqual([...PRIVATE_COMMANDS]);
    for (const c of commands) {
      expect(c.command).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(c.description).toBe(t(`commands.${c.command}`));
      expect(c.description.length).toBeGreaterThan(2);
      expect(c.description.length).toBeLessThanOrEqual(256);
    }
  }
  // The two languages really differ.
  expect(calls[1].payload.commands).not.toEqual(calls[2].payload.commands);
  expect(calls[2].payload.commands).toEqual(expect.arrayContaining([{ command: "batal", description: en("commands.batal") }]));
});
