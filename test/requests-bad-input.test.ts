/**
 * Every bad input of issue 3 at every step of every request type, and at the summary: a sticker,
 * the wrong kind of media, a document, a button from an older message, a forged button, an unknown
 * command, another command (asks to leave; "Tidak, lanjutkan" asks the step again), an overlong or
 * unreadable answer, "Selesai" with nothing chosen. Each gets a short Indonesian answer and the same
 * question again, and nothing is lost: the saved request holds exactly the good answers.
 */
import type { Message } from "grammy/types";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import type { ApiCall, TestUser } from "./helpers/harness";
import { RecordingHarness, registeredMember, fillSteps, EXPECTED, codeIn, seen, summaryTitle, stripTags } from "./helpers/requests";
import { REQUEST_DEFINITIONS, type StepDefinition } from "../src/domain/request-definitions";
import { REQUEST_TYPES, type RequestType } from "../src/vocabulary/request-types";
import { Request } from "../src/db/models/request";
import { tFor } from "../src/i18n";

useTestDatabase();

const t = tFor("id");
let h: RecordingHarness;
let nextId = 7500;

beforeEach(async () => {
  await clearDatabase();
  h = new RecordingHarness();
});

/** The kind of answer a step expects, as the step engine names it in its texts. */
function expectedOf(s: StepDefinition): "choice" | "multi" | "number" | "voice" | "photo" | "text" {
  switch (s.kind) {
    case "choice":
    case "yesno":
      return "choice";
    case "multi":
      return "multi";
    case "number":
      return "number";
    case "text-or-voice":
      return "voice";
    case "photos":
      return "photo";
    case "text":
      return "text";
  }
}

function video(u: TestUser) {
  return h.handle({
    message: {
      message_id: h.telegram.newMessageId(),
      date: Math.floor(Date.now() / 1000),
      chat: { id: u.id, type: "private", first_name: u.user.first_name },
      from: u.user,
      video: { file_id: "vid", file_unique_id: "vidu", width: 1, height: 1, duration: 3 },
    } as unknown as Message,
  });
}

const toast = (calls: ApiCall[]) => calls.find((c) => c.method === "answerCallbackQuery")?.payload.text;

/** Bad input at one step; after each, the step's question must be asked again (or still be the last). */
async function barrage(u: TestUser, type: RequestType, question: string, expected: ReturnType<typeof expectedOf>, s?: StepDefinition): Promise<void> {
  const again = (reply: string) => [reply, question];

  expect(seen(await u.sticker())).toEqual(again(t(`dialog.sticker_${expected}`)));
  if (expected === "photo") {
    expect(seen(await video(u))).toEqual(again(t("dialog.expect_photo")));
    expect(seen(await u.document("foto.jpg"))).toEqual(again(t("dialog.photo_as_document")));
  } else {
    expect(seen(await u.photo())).toEqual(again(t(`dialog.expect_${expected}`)));
    expect(seen(await u.document())).toEqual(again(t(`dialog.expect_${expected}`)));
  }
  if (expected !== "voice" && expected !== "photo") expect(seen(await u.voice())).toEqual(again(t(`dialog.expect_${expected}`)));

  // A button of an older message (the previous question or the intro), and a forged one on this question.
  const sent = h.telegram.callsOf("sendMessage", u.id);
  const current = (sent.at(-1)!.result as Message).message_id;
  const older = (sent.at(-2)!.result as Message).message_id;
  let calls = await u.press("c:0", { raw: true, messageId: older });
  expect(toast(calls)).toBe(t("dialog.stale_button"));
  expect(seen(calls).at(-1)).toBe(question);
  calls = await u.press("c:99", { raw: true, messageId: current });
  expect(toast(calls)).toBe(t("dialog.stale_button"));
  expect(seen(calls).at(-1)).toBe(question);

  expect(seen(await u.send("/resep"))).toEqual(again(t("dialog.command_mid_dialogue")));
  expect(seen(await u.send("/start"))).toEqual([t("dialog.leave_question", { dialogue: t(`dialog.name.request_${type}`) })]);
  calls = await u.press(t("dialog.leave_no"));
  expect(seen(calls).at(-1)).toBe(question);

  switch (expected) {
    case "voice":
    case "text": {
      const long = "a".repeat((s?.max ?? 1000) + 1);
      expect(seen(await u.send(long))).toEqual(again(t("dialog.too_long", { count: long.length, max: s?.max ?? 1000 })));
      break;
    }
    case "number":
      expect(seen(await u.send("banyak sekali"))).toEqual(again(t("dialog.number_invalid")));
      expect(seen(await u.send("50rb"))).toEqual(again(t("dialog.number_range", { min: "Rp100.000", max: "Rp10.000.000.000" })));
      break;
    case "choice":
      expect(seen(await u.send("yang paling murah"))).toEqual(again(t("dialog.expect_choice")));
      break;
    case "multi":
      calls = await u.press(t("dialog.done"));
      expect(toast(calls)).toBe(t("dialog.multi_min", { count: 1 }));
      expect(seen(calls)).toEqual([`toast: ${t("dialog.multi_min", { count: 1 })}`]);
      break;
    case "photo":
      break;
  }
}

test.each(REQUEST_TYPES)("%s: every bad input at every step and at the summary, then a request with exactly the good answers", async (type) => {
  const u = h.user(nextId++);
  await registeredMember(u.id);
  await u.send(`/${REQUEST_DEFINITIONS[type].command}`);
  await fillSteps(u, type, { beforeStep: (s, tt) => barrage(u, type, tt(s.prompt), expectedOf(s), s) });
  const summary = u.lastText();
  expect(stripTags(summary)).toContain(summaryTitle(type, t));
  await barrage(u, type, summary, "choice");
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.answers).toEqual(EXPECTED[type].answers);
  expect(saved!.attachments).toEqual(EXPECTED[type].attachments);
  expect(await Request.countDocuments()).toBe(1);
});

test("overlong typed product and 'Lainnya' detail: said so with the limit, asked again, not cut", async () => {
  const u = h.user(nextId++);
  await registeredMember(u.id);
  await u.send("/lapor");
  await u.press(t("request.opt.lainnya"));
  const detail = "b".repeat(201);
  expect(seen(await u.send(detail))).toEqual([t("dialog.too_long", { count: 201, max: 200 }), t("request.ask_detail")]);
  await u.send("Kemasan bocor");
  await u.press(t("request.other_product"));
  const product = "c".repeat(101);
  expect(seen(await u.send(product))).toEqual([t("dialog.too_long", { count: 101, max: 100 }), t("request.ask_product_name")]);
  await u.send("pie susu");
  expect(stripTags(u.lastText())).toBe(stripTags(t("request.produksi.photos")));
  const description = "d".repeat(1000);
  await u.press(t("dialog.skip"));
  await u.send(description);
  await u.press(t("request.opt.terganggu_baru"));
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.answers).toMatchObject({ category: "lainnya", category_detail: "Kemasan bocor", product: "pie susu", description });
});

test("a number the member types in words or with separators is read, shown in rupiah and saved as a number", async () => {
  const u = h.user(nextId++);
  await registeredMember(u.id);
  await u.send("/modal");
  await u.press(t("request.opt.bahan_baku"));
  await u.send("Rp 2,5 juta");
  expect(u.lastText()).toBe(t("request.modal.scope"));
  await u.press(t("request.opt.sendiri"));
  await u.press(t("dialog.skip"));
  expect(stripTags(u.lastText())).toContain("Jumlah: Rp2.500.000");
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.answers.amount).toBe(2_500_000);
});

test("an album sent where text is expected is refused once, not photo by photo; a later album gets its own answer", async () => {
  const u = h.user(nextId++);
  await registeredMember(u.id);
  await u.send("/pelatihan");
  await u.press(t("request.opt.lainnya"));
  expect(u.lastText()).toBe(t("request.ask_detail"));
  const shown: string[] = [];
  for (const id of ["alb-1", "alb-2", "alb-3"]) shown.push(...seen(await u.photo(id, { mediaGroupId: "album-text" })));
  expect(shown).toEqual([t("dialog.expect_text"), t("request.ask_detail")]);
  await u.send("Membuat kue tradisional yang tahan lama");
  // The number step of Bantuan modal: another album, one answer again.
  await u.send("/batal");
  await u.send("/modal");
  await u.press(t("request.opt.peralatan"));
  const again: string[] = [];
  for (const id of ["alb-4", "alb-5", "alb-6"]) again.push(...seen(await u.photo(id, { mediaGroupId: "album-number" })));
  expect(again).toEqual([t("dialog.expect_number"), t("request.modal.amount")]);
});
