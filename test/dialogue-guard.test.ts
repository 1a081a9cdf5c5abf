import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, type ApiCall, type TestUser } from "./helpers/harness";
import { registeredMember, GOOD, stripTags } from "./helpers/requests";
import { ConversationState } from "../src/db/models/conversation-state";
import { Member } from "../src/db/models/member";
import { tFor } from "../src/i18n";
import { anyOf, GREETING_KEYS, templateRegex } from "./helpers/localeText";

useTestDatabase();

test("a double tap on 'Tidak, lanjutkan' keeps the dialogue: the second tap is a stale button", async () => {
  await clearDatabase();
  const h = new Harness();
  const u = h.user(7600);
  await u.send("/start");
  await u.press("Setuju");
  await u.send("/bahasa");
  const stay = u.findButton("Tidak, lanjutkan")!;
  // Telegram refuses to tidy the leave question (it may already say so): the guard ignores that,
  // and the dialogue asks its question again.
  h.telegram.fail("editMessageText", { kind: "http", error_code: 400, description: "Bad Request: message is not modified" });
  const first = await u.press("Tidak, lanjutkan");
  expect(first.filter((c) => c.method === "editMessageText").map((c) => c.failed)).toEqual([true]);
  expect(sent(first)).not.toContain(stripTags(t("errors.internal")));
  expect(u.lastText()).toBe(t("onboarding.ask_name"));
  // The second press of the same button: the question was answered by the first tap (the dialogue
  // went on), so it is a stale button.
  const second = await u.press(stay.data, { raw: true, messageId: stay.messageId });
  expect(second.map((c) => [c.method, c.payload.text])).toEqual([["answerCallbackQuery", t("dialog.stale_button")]]);
  await u.send("Ni Wayan Tetap");
  expect(u.lastText()).toBe(t("onboarding.ask_phone"));
  expect(await ConversationState.countDocuments()).toBe(1);
  expect(await Member.countDocuments({ registeredAt: { $ne: null } })).toBe(0);
});

// ---------------------------------------------------------------------------------------------
// Idle dialogues, the leave question's buttons, old buttons outside a dialogue, and what a guest
// leaves behind when the registration ends without consent.

const t = tFor("id");
const DAY = 24 * 60 * 60 * 1000;
const toasts = (calls: ApiCall[]) => calls.filter((c) => c.method === "answerCallbackQuery").map((c) => c.payload.text);
const sent = (calls: ApiCall[]) => calls.filter((c) => c.method === "sendMessage" && !c.failed).map((c) => stripTags(String(c.payload.text)));

/** Runs `fn` with the clock (Date.now: the dialogues' and the guard's) moved `ms` ahead. */
async function later<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const spy = jest.spyOn(Date, "now").mockReturnValue(Date.now() + ms);
  try {
    return await fn();
  } finally {
    spy.mockRestore();
  }
}

let nextId = 7610;
async function inRequest(h: Harness): Promise<TestUser> {
  const u = h.user(nextId++);
  await registeredMember(u.id);
  await u.send(t("request.menu.kemasan"));
  await GOOD.kemasan.product(u, t);
  return u;
}

describe("a dialogue idle for more than 24 hours", () => {
  beforeEach(clearDatabase);

  test("a main-menu button gets the notice, then starts what it names", async () => {
    const h = new Harness();
    const u = await inRequest(h);
    const calls = await later(DAY + 60_000, () => u.send(t("request.menu.pelatihan")));
    const texts = sent(calls);
    expect(texts[0]).toBe(stripTags(t("dialog.expired")));
    expect(texts.some((x) => x.includes(stripTags(t("dialog.leave_question", { dialogue: "" })).slice(0, 20)))).toBe(false);
    expect(texts.at(-1)).toBe(stripTags(t("request.pelatihan.topic")));
    // The new request runs: its state is the only one.
    const state = await ConversationState.findById(String(u.id)).lean();
    expect(state!.data).toContain("request_pelatihan");
    expect(state!.data).not.toContain("request_kemasan");
  });

  test("/start gets the notice, then the member's main menu", async () => {
    const h = new Harness();
    const u = await inRequest(h);
    const texts = sent(await later(DAY + 60_000, () => u.send("/start")));
    expect(texts[0]).toBe(stripTags(t("dialog.expired")));
    expect(texts[1]).toMatch(templateRegex("start.welcome_back", { anchor: "whole", vars: { greeting: anyOf(GREETING_KEYS) } }));
    expect(texts).toHaveLength(3);
    expect(await ConversationState.countDocuments()).toBe(0);
  });

  test("a typed answer gets the notice only; an old step button gets the notice and a silent answer", async () => {
    const h = new Harness();
    const u = await inRequest(h);
    expect(sent(await later(DAY + 60_000, () => u.send("Label baru")))).toEqual([stripTags(t("dialog.expired"))]);
    expect(await ConversationState.countDocuments()).toBe(0);

    const v = await inRequest(h);
    const calls = await later(DAY + 60_000, () => v.press(t("dialog.skip")));
    expect(sent(calls)).toEqual([stripTags(t("dialog.expired"))]);
    expect(toasts(calls)).toEqual([undefined]);
  });

  test("within 24 hours nothing changes: the leave question comes", async () => {
    const h = new Harness();
    const u = await inRequest(h);
    await later(DAY - 60_000, () => u.send(t("request.menu.pelatihan")));
    expect(u.lastText()).toBe(t("dialog.leave_question", { dialogue: t("dialog.name.request_kemasan") }));
  });

  test("the idle clock runs from the dialogue's last step: a leave question or /bantuan does not restart it", async () => {
    const h = new Harness();
    const u = await inRequest(h);
    const stepAt = (await ConversationState.findById(String(u.id)).lean())!.updatedAt!.getTime();
    await later(DAY - 60 * 60_000, async () => {
      await u.send("/bantuan");
      await u.send(t("request.menu.pelatihan"));
    });
    expect((await ConversationState.findById(String(u.id)).lean())!.updatedAt!.getTime()).toBe(stepAt);
    // An hour later (25 h after the step) the member presses "Ya, tinggalkan": the dialogue was idle.
    const calls = await later(DAY + 60 * 60_000, () => u.press(t("dialog.leave_yes")));
    expect(sent(calls)[0]).toBe(stripTags(t("dialog.expired")));
    // What the button asked for still happens.
    expect(sent(calls).at(-1)).toBe(stripTags(t("request.pelatihan.topic")));
  });
});

describe("the leave question's buttons count only on the latest question", () => {
  beforeEach(clearDatabase);

  test("a leave question the member ignored (they answered the step instead) no longer closes the dialogue", async () => {
    const h = new Harness();
    const u = await inRequest(h);
    await u.send(t("request.menu.pelatihan"));
    const yes = u.findButton(t("dialog.leave_yes"))!;
    const no = u.findButton(t("dialog.leave_no"))!;
    await GOOD.kemasan.packaging(u, t);
    const question = u.lastText();
    const stateBefore = (await ConversationState.findById(String(u.id)).lean())!.data;

    const pressYes = await u.press(yes.data, { raw: true, messageId: yes.messageId });
    expect(toasts(pressYes)).toEqual([t("dialog.stale_button")]);
    expect(sent(pressYes)).toEqual([]);
    const pressNo = await u.press(no.data, { raw: true, messageId: no.messageId });
    expect(toasts(pressNo)).toEqual([t("dialog.stale_button")]);
    expect(pressNo.filter((c) => c.method !== "answerCallbackQuery")).toEqual([]);
    expect((await ConversationState.findById(String(u.id)).lean())!.data).toBe(stateBefore);
    expect(u.lastText()).toBe(question);
  });

  test("of two leave questions only the second counts", async () => {
    const h = new Harness();
    const u = await inRequest(h);
    await u.send(t("request.menu.pelatihan"));
    const first = u.findButton(t("dialog.leave_yes"))!;
    await u.send(t("request.menu.modal"));
    expect(toasts(await u.press(first.data, { raw: true, messageId: first.messageId }))).toEqual([t("dialog.stale_button")]);
    expect(await ConversationState.countDocuments()).toBe(1);
    await u.press(t("dialog.leave_yes"));
    expect(stripTags(u.lastText())).toBe(stripTags(t("request.modal.purpose")));
  });

  test("/bantuan after the question does not make it stale; a leave question from a dialogue that ended does not close the next one", async () => {
    const h = new Harness();
    const u = await inRequest(h);
    await u.send(t("request.menu.pelatihan"));
    const old = u.findButton(t("dialog.leave_yes"))!;
    await u.send("/bantuan");
    // Still the current question: "Tidak, lanjutkan" works.
    await u.press(t("dialog.leave_no"));
    expect(stripTags(u.lastText())).toBe(stripTags(t("request.kemasan.packaging")));
    await u.send("/batal");
    await u.send(t("request.menu.modal"));
    const calls = await u.press(old.data, { raw: true, messageId: old.messageId });
    expect(toasts(calls)).toEqual([t("dialog.stale_button")]);
    expect((await ConversationState.findById(String(u.id)).lean())!.data).toContain("request_modal");
  });

  test("outside any dialogue an old leave question, an old step button: 'no longer valid, choose from the menu'", async () => {
    const h = new Harness();
    const u = await inRequest(h);
    await u.send(t("request.menu.pelatihan"));
    const yes = u.findButton(t("dialog.leave_yes"))!;
    const no = u.findButton(t("dialog.leave_no"))!;
    await u.send("/batal");
    expect(toasts(await u.press(yes.data, { raw: true, messageId: yes.messageId }))).toEqual([t("dialog.old_button")]);
    expect(toasts(await u.press(no.data, { raw: true, messageId: no.messageId }))).toEqual([t("dialog.old_button")]);
    expect(toasts(await u.press(t("dialog.skip")))).toEqual([t("dialog.old_button")]);
    expect(t("dialog.old_button")).not.toBe(t("dialog.stale_button"));
  });
});

describe("a guest's language choice before consent", () => {
  beforeEach(clearDatabase);

  test("declining consent deletes the record /bahasa made; the language still applies to the decline", async () => {
    const h = new Harness();
    const u = h.user(7650);
    await u.send("/bahasa");
    await u.press("English");
    expect(await Member.countDocuments({ telegramId: u.id })).toBe(1);
    await u.send("/start");
    await u.press(tFor("en")("onboarding.consent_no"));
    expect(u.lastText()).toBe(tFor("en")("onboarding.declined"));
    expect(await Member.countDocuments()).toBe(0);
    expect(await ConversationState.countDocuments()).toBe(0);
    // Nothing is cached either: the next /start is in the client's language again.
    await u.send("/start");
    expect(u.lastText()).toBe(t("onboarding.consent"));
  });

  test("a guest who picks a request first (registering inside it) and declines: the record goes too", async () => {
    const h = new Harness();
    const u = h.user(7653);
    await u.send("/bahasa");
    await u.press("English");
    await u.send("/lapor");
    expect(u.lastText()).toBe(tFor("en")("onboarding.consent"));
    await u.press(tFor("en")("onboarding.consent_no"));
    expect(await Member.countDocuments()).toBe(0);
    expect(await ConversationState.countDocuments()).toBe(0);
  });

  test("a guest who leaves the registration for something else ('Ya, tinggalkan'): the record goes", async () => {
    const h = new Harness();
    const u = h.user(7654);
    await u.send("/bahasa");
    await u.press("English");
    await u.send("/start");
    await u.send("/bahasa");
    await u.press(tFor("en")("dialog.leave_yes"));
    // Left for /bahasa: its language question is shown, and nothing of the guest is stored.
    expect(await Member.countDocuments()).toBe(0);
    expect(await ConversationState.countDocuments()).toBe(0);
  });

  test("/batal at the consent question also deletes it; a registered member's record is never touched", async () => {
    const h = new Harness();
    const u = h.user(7651);
    await u.send("/bahasa");
    await u.press("English");
    await u.send("/start");
    await u.send("/batal");
    expect(await Member.countDocuments()).toBe(0);

    const m = h.user(7652);
    await registeredMember(m.id);
    await m.send("/profil");
    await m.send("/batal");
    expect(await Member.countDocuments({ telegramId: m.id, registeredAt: { $ne: null } })).toBe(1);
  });
});
