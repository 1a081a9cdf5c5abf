/**
 * Every bad input of issue 2 at every onboarding step where it applies: each gets a short
 * Indonesian answer, the step is asked again, and nothing is lost (the member saved at the end has
 * exactly the good answers). Also: commands mid-dialogue (the guard asks whether to leave;
 * "Tidak, lanjutkan" re-asks the step), /batal, and a declined consent storing nothing.
 */
import type { Message } from "grammy/types";
import { seen } from "./helpers/requests";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, type ApiCall, type TestUser } from "./helpers/harness";
import { Member } from "../src/db/models/member";
import { ConversationState } from "../src/db/models/conversation-state";
import { seedSentras } from "../src/domain/sentras";
import { tFor } from "../src/i18n";
import { anyOf, GREETING_KEYS, templateRegex } from "./helpers/localeText";

useTestDatabase();

const t = tFor("id");

const GOOD = {
  name: "Ni Made Ayu",
  phoneTyped: "0812 3456 7890",
  phone: "+6281234567890",
  business: "UD Ayu Rasa",
  products: "pastel, gipang",
};

type Kind = "text" | "choice" | "contact";

interface Step {
  key: string;
  kind: Kind;
  /** Longest accepted typed answer (text steps and the typed phone). */
  max?: number;
  question: () => string;
  answer: (u: TestUser) => Promise<ApiCall[]>;
}

const STEPS: Step[] = [
  { key: "consent", kind: "choice", question: () => t("onboarding.consent"), answer: (u) => u.press("Setuju") },
  { key: "name", kind: "text", max: 100, question: () => t("onboarding.ask_name"), answer: (u) => u.send(GOOD.name) },
  { key: "phone", kind: "contact", max: 30, question: () => t("onboarding.ask_phone"), answer: (u) => u.send(GOOD.phoneTyped) },
  {
    key: "business",
    kind: "text",
    max: 100,
    question: () => t("onboarding.ask_business", { name: GOOD.name }),
    answer: (u) => u.send(GOOD.business),
  },
  { key: "kecamatan", kind: "choice", question: () => t("onboarding.ask_kecamatan"), answer: (u) => u.press("Mengwi") },
  { key: "sentra", kind: "choice", question: () => t("onboarding.ask_sentra"), answer: (u) => u.press("Belum tergabung") },
  { key: "wish", kind: "choice", question: () => t("onboarding.why_sentra"), answer: (u) => u.press("Ingin membentuk sentra baru") },
  { key: "products", kind: "text", max: 300, question: () => t("onboarding.ask_products"), answer: (u) => u.send(GOOD.products) },
];

const OTHER_USER = 424242;

/** The bad inputs that apply to a step of this kind, with the answer each must get. */
function badInputs(h: Harness, u: TestUser, step: Step, staleMessageId: number) {
  const currentPrompt = () => (h.telegram.lastMessageTo(u.id)!.result as Message).message_id;
  const expect = (kind: Kind) => t(`dialog.expect_${kind}`);
  const stale = `toast: ${t("dialog.stale_button")}`;
  const cases: { input: string; act: () => Promise<ApiCall[]>; reply: string; reask?: false }[] = [
    { input: "sticker", act: () => u.sticker(), reply: t(`dialog.sticker_${step.kind}`) },
    { input: "photo", act: () => u.photo(), reply: expect(step.kind) },
    { input: "voice note", act: () => u.voice(), reply: expect(step.kind) },
    { input: "document", act: () => u.document(), reply: expect(step.kind) },
    { input: "unknown command", act: () => u.send("/halo"), reply: t("dialog.command_mid_dialogue") },
    { input: "stale button", act: () => u.press("c:0", { raw: true, messageId: staleMessageId }), reply: stale },
    { input: "forged choice on the question", act: () => u.press("c:99", { raw: true, messageId: currentPrompt() }), reply: stale },
    { input: "forged suggestion on the question", act: () => u.press("v:99", { raw: true, messageId: currentPrompt() }), reply: stale },
    { input: "made-up callback data", act: () => u.press("zz:1", { raw: true, messageId: currentPrompt() }), reply: stale },
    // A forged "leave and do X" with an X that does not exist: refused by the guard, the dialogue stays.
    { input: "forged leave button", act: () => u.press("dlg:leave:hapus_semua", { raw: true, messageId: currentPrompt() }), reply: stale, reask: false },
  ];
  if (step.kind === "text") {
    cases.push(
      { input: "someone else's contact", act: () => u.contact("+6285711112222", OTHER_USER), reply: expect("text") },
      { input: "whitespace only", act: () => u.send("   \n\t "), reply: t("dialog.empty_text") },
      // Shows blank on a card: zero-width spaces, a BOM, a word joiner.
      { input: "invisible characters only", act: () => u.send("\u200b\u200b \ufeff\u2060"), reply: t("dialog.empty_text") },
      { input: "a dash (no letter or digit)", act: () => u.send("-"), reply: t("dialog.no_letters") },
      {
        input: `text of ${step.max! + 1} characters`,
        act: () => u.send("a".repeat(step.max! + 1)),
        reply: t("dialog.too_long", { max: step.max, count: step.max! + 1 }),
      },
    );
  }
  if (step.kind === "choice") {
    cases.push(
      { input: "someone else's contact", act: () => u.contact("+6285711112222", OTHER_USER), reply: expect("choice") },
      { input: "a typed word that is no option", act: () => u.send("Denpasar"), reply: expect("choice") },
      { input: "whitespace only", act: () => u.send("   "), reply: expect("choice") },
      { input: "overlong text", act: () => u.send("b".repeat(150)), reply: expect("choice") },
    );
  }
  if (step.kind === "contact") {
    cases.push(
      { input: "someone else's contact", act: () => u.contact("+6285711112222", OTHER_USER), reply: t("onboarding.foreign_contact") },
      { input: "a contact from the address book (no user id)", act: () => u.contact("+6285711112222", null), reply: t("onboarding.foreign_contact") },
      { input: "too few digits", act: () => u.send("12345"), reply: t("onboarding.invalid_phone") },
      { input: "letters", act: () => u.send("nomor saya nol delapan"), reply: t("onboarding.invalid_phone") },
      { input: "a foreign number", act: () => u.send("+1 202 555 0100"), reply: t("onboarding.invalid_phone") },
      { input: "whitespace only", act: () => u.send("   "), reply: t("dialog.empty_text") },
      { input: "overlong text", act: () => u.send("0812".repeat(8)), reply: t("dialog.too_long", { max: 30, count: 32 }) },
    );
  }
  return cases;
}

let h: Harness;
beforeEach(async () => {
  await clearDatabase();
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  h = new Harness();
});

async function expectSavedMember(telegramId: number) {
  const members = await Member.find({ telegramId }).lean();
  expect(members).toHaveLength(1);
  expect(members[0]).toMatchObject({
    name: GOOD.name,
    phone: GOOD.phone,
    businessName: GOOD.business,
    products: GOOD.products,
    kecamatan: "Mengwi",
    sentraId: null,
    sentraWish: "form",
  });
  expect(members[0].registeredAt).toBeInstanceOf(Date);
  expect(members[0].consentAt).toBeInstanceOf(Date);
  expect(await ConversationState.countDocuments()).toBe(0);
}

describe.each(STEPS.map((s) => [s.key, s] as const))("at the %s step", (_key, target) => {
  test("every bad input gets a short Indonesian answer, the step is asked again and nothing is lost", async () => {
    const u = h.user(6100 + STEPS.indexOf(target), { first_name: "Ayu" });
    await u.send("/start");
    const consentMessageId = (h.telegram.lastMessageTo(u.id)!.result as Message).message_id;
    for (const step of STEPS) {
      expect(u.lastText()).toBe(step.question());
      if (step === target) {
        for (const c of badInputs(h, u, step, consentMessageId)) {
          const calls = await c.act();
          // One short answer, then the same question again, nothing else.
          const expected = c.reask === false ? [c.reply] : [c.reply, step.question()];
          expect({ input: c.input, seen: seen(calls) }).toEqual({ input: c.input, seen: expected });
          expect(c.reply.length).toBeLessThan(160);
        }
        expect(await Member.countDocuments({ telegramId: u.id })).toBe(0);
      }
      await step.answer(u);
    }
    expect(u.lastText()).toMatch(templateRegex("onboarding.done", { anchor: "whole" }));
    await expectSavedMember(u.id);
  });

  test("/start, /bahasa, /profil and the menu's help mid-dialogue: asked whether to leave, 'Tidak, lanjutkan' re-asks", async () => {
    const u = h.user(6200 + STEPS.indexOf(target), { first_name: "Ayu" });
    await u.send("/start");
    const leaveQuestion = t("dialog.leave_question", { dialogue: t("dialog.name.onboarding") });
    const continuing = t("dialog.continuing");
    for (const step of STEPS) {
      if (step === target) {
        for (const command of ["/start", "/bahasa", "/profil", "/start@aspirasi_ikm_test_bot"]) {
          const asked = await u.send(command);
          expect({ command, seen: seen(asked) }).toEqual({ command, seen: [leaveQuestion] });
          const resumed = await u.press("Tidak, lanjutkan");
          expect({ command, seen: seen(resumed) }).toEqual({ command, seen: [`edit: ${continuing}`, `toast: ${continuing}`, step.question()] });
        }
        // Help does not leave: it explains and points back to the question.
        for (const help of ["/bantuan", t("menu.help")]) {
          const calls = await u.send(help);
          expect(seen(calls)).toEqual([`${t("help.text")}\n\n${t("dialog.help_mid_dialogue")}`]);
        }
        // The dialogue survives a restart of the bot right after all that.
        h.restart();
      }
      await step.answer(u);
    }
    await expectSavedMember(u.id);
  });
});

test("/batal leaves the onboarding from the middle, says so and stores nothing; /start begins again", async () => {
  const u = h.user(6301);
  await u.send("/start");
  await u.press("Setuju");
  await u.send(GOOD.name);
  await u.contact("+6281234567890");
  expect(u.lastText()).toBe(t("onboarding.ask_business", { name: GOOD.name }));
  const calls = await u.send("/batal");
  expect(seen(calls)).toEqual([t("dialog.cancelled")]);
  expect(calls[0].payload.reply_markup).toEqual({ remove_keyboard: true });
  expect(await Member.countDocuments()).toBe(0);
  expect(await ConversationState.countDocuments({ data: { $regex: "onboarding" } })).toBe(0);

  // The dialogue is gone: an answer meant for it is now just an unknown message.
  expect(seen(await u.send(GOOD.business))).toEqual([t("unhandled.guest")]);
  // /start begins from the consent again.
  await u.send("/start");
  expect(u.lastText()).toBe(t("onboarding.consent"));
});

test("'Ya, tinggalkan' after /start mid-dialogue leaves and starts the onboarding afresh", async () => {
  const u = h.user(6302);
  await u.send("/start");
  await u.press("Setuju");
  await u.send(GOOD.name);
  await u.send("/start");
  const calls = await u.press("Ya, tinggalkan");
  const s = seen(calls);
  expect(s[0]).toBe(`edit: ${t("dialog.left")}`);
  expect(s[1]).toMatch(templateRegex("start.welcome_new", { anchor: "whole", vars: { greeting: anyOf(GREETING_KEYS) } }));
  expect(s.at(-1)).toBe(t("onboarding.consent"));
  // The new dialogue works; the old answers were dropped.
  for (const step of STEPS) await step.answer(u);
  await expectSavedMember(u.id);
});

test("consent declined (after a wrong input) ends politely and stores nothing", async () => {
  const u = h.user(6303);
  await u.send("/start");
  await u.sticker();
  const calls = await u.press("Tidak setuju");
  expect(seen(calls)).toEqual([`edit: ${t("onboarding.consent")}\n\n✅ <b>Tidak setuju</b>`, t("onboarding.declined")]);
  expect(h.telegram.lastMessageTo(u.id)!.payload.reply_markup).toEqual({ remove_keyboard: true });
  expect(await Member.countDocuments()).toBe(0);
  expect(await ConversationState.countDocuments()).toBe(0);
  // Nothing is pending: the next message is answered as from a guest.
  expect(seen(await u.send("halo"))).toEqual([t("unhandled.guest")]);
  expect(await Member.countDocuments()).toBe(0);
});

test("a Telegram name with HTML characters is offered as typed, escaped in messages and stored as typed", async () => {
  const u = h.user(6304, { first_name: "Bu <Rina>", last_name: "& Co" });
  await u.send("/start");
  await u.press("Setuju");
  // A button label is plain text: no HTML escapes in it.
  expect(u.findButton("Pakai nama: Bu <Rina> & Co")).toBeDefined();
  await u.press("Pakai nama: Bu <Rina> & Co");
  await u.send(GOOD.phoneTyped);
  // Inside an HTML message the name is escaped.
  expect(u.lastText()).toBe("Terima kasih, Bu &lt;Rina&gt; &amp; Co. Apa nama usaha Bapak/Ibu?");
  for (const step of STEPS.slice(3)) await step.answer(u);
  expect((await Member.findOne({ telegramId: u.id }).lean())?.name).toBe("Bu <Rina> & Co");
});
