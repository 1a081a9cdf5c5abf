/**
 * Changing and leaving a request: Ubah of one field for each type (then back to the summary),
 * Batal, /batal and leaving through another command or menu button, a new bot instance at every
 * step, and a dialogue idle for more than 24 hours.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import type { TestUser } from "./helpers/harness";
import { RecordingHarness, registeredMember, fillSteps, EXPECTED, GOOD, codeIn, stripTags, summaryTitle } from "./helpers/requests";
import { REQUEST_DEFINITIONS } from "../src/domain/request-definitions";
import { REQUEST_TYPES, type RequestType } from "../src/vocabulary/request-types";
import { Request } from "../src/db/models/request";
import { ConversationState } from "../src/db/models/conversation-state";
import { tFor, typeWords } from "../src/i18n";

useTestDatabase();

const t = tFor("id");
let h: RecordingHarness;
let nextId = 7300;

beforeEach(async () => {
  await clearDatabase();
  h = new RecordingHarness();
});

async function started(type: RequestType): Promise<TestUser> {
  const u = h.user(nextId++);
  await registeredMember(u.id);
  await u.send(`/${REQUEST_DEFINITIONS[type].command}`);
  return u;
}

const EDITS: { type: RequestType; field: string; answer: (u: TestUser) => Promise<unknown>; shown: string; patch: Record<string, unknown>; drop?: string[] }[] = [
  {
    type: "produksi",
    field: "category",
    answer: async (u) => {
      await u.press(t("request.opt.lainnya"));
      await u.send("Listrik sering padam");
    },
    shown: "Jenis kendala: Lainnya: Listrik sering padam",
    patch: { category: "lainnya", category_detail: "Listrik sering padam" },
  },
  {
    type: "kemasan",
    field: "wants",
    answer: async (u) => {
      await u.press(t("request.opt.bahan_kemasan"));
      await u.press(t("dialog.done"));
    },
    shown: "Yang diinginkan: Bahan kemasan",
    patch: { wants: ["bahan_kemasan"] },
  },
  {
    type: "pemasaran",
    field: "product",
    answer: async (u) => {
      await u.press(t("request.other_product"));
      await u.send("pie susu");
    },
    shown: "Produk: pie susu",
    patch: { product: "pie susu" },
  },
  { type: "modal", field: "amount", answer: (u) => u.send("750rb"), shown: "Jumlah: Rp750.000", patch: { amount: 750_000 } },
  { type: "pelatihan", field: "goal", answer: (u) => u.press(t("dialog.skip")), shown: "Tujuan: —", patch: {}, drop: ["goal"] },
];

test.each(EDITS)("Ubah: $type, field $field answered again, back to the summary, saved changed", async ({ type, field, answer, shown, patch, drop }) => {
  const u = await started(type);
  await fillSteps(u, type);
  await u.press(t("request.edit"));
  expect(u.lastText()).toBe(t("request.edit_which"));
  const step = REQUEST_DEFINITIONS[type].steps.find((s) => s.key === field)!;
  await u.press(t(step.label));
  expect(stripTags(u.lastText())).toBe(stripTags(t(step.prompt)));
  await answer(u);
  const summary = stripTags(u.lastText());
  expect(summary).toContain(summaryTitle(type, t));
  expect(summary).toContain(shown);
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  const expected: Record<string, unknown> = { ...EXPECTED[type].answers, ...patch };
  for (const k of drop ?? []) delete expected[k];
  expect(saved!.answers).toEqual(expected);
});

test("Ubah, then 'Kembali ke ringkasan' changes nothing; choosing a plain option drops an earlier 'Lainnya' detail", async () => {
  const u = await started("pelatihan");
  await fillSteps(u, "pelatihan");
  await u.press(t("request.edit"));
  await u.press(t("request.edit_back"));
  expect(stripTags(u.lastText())).toContain("Topik: Lainnya: Membuat kue tradisional yang tahan lama");
  await u.press(t("request.edit"));
  await u.press(t("request.pelatihan.topic_label"));
  await u.press(t("request.opt.topik_keuangan"));
  expect(stripTags(u.lastText())).toContain("Topik: Pembukuan dan keuangan");
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.answers).toEqual({ ...EXPECTED.pelatihan.answers, topic: "topik_keuangan", topic_detail: undefined });
  expect(saved!.answers).not.toHaveProperty("topic_detail");
});

test("Ubah of photos replaces them; Ubah of a voice description with text drops the voice note", async () => {
  const u = await started("produksi");
  await u.press(t("request.opt.mutu"));
  await u.press("keripik bayam");
  await u.photo("old-1");
  await u.photo("old-2");
  await u.voice("desc-voice", 20); // moves on: the voice note is the description
  await u.press(t("request.opt.terganggu_lama"));
  expect(stripTags(u.lastText())).toContain("Keterangan: 🎤 pesan suara (20 detik)");
  expect(stripTags(u.lastText())).toContain("Foto: 2 foto");
  await u.press(t("request.edit"));
  await u.press(t("request.produksi.photos_label"));
  await u.photo("new-1");
  await u.press(t("dialog.done"));
  await u.press(t("request.edit"));
  await u.press(t("request.produksi.description_label"));
  await u.send("Keripik cepat melempem.");
  expect(stripTags(u.lastText())).toContain("Foto: 1 foto");
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.answers.description).toBe("Keripik cepat melempem.");
  expect(saved!.attachments).toEqual([{ kind: "photo", field: "photos", fileId: "new-1", fileUniqueId: "new-1-u" }]);
});

test.each(REQUEST_TYPES)("Batal at the summary of %s: nothing saved, the main menu again, the dialogue closed", async (type) => {
  const u = await started(type);
  await fillSteps(u, type);
  await u.press(t("request.cancel"));
  expect(u.lastText()).toBe(t("request.cancelled", typeWords(t, type)));
  expect(JSON.stringify(h.telegram.lastMessageTo(u.id)!.payload.reply_markup)).toContain(t("request.menu.produksi"));
  expect(await Request.countDocuments()).toBe(0);
  expect(await ConversationState.countDocuments()).toBe(0);
});

test("/batal in the middle closes the request; its old buttons are stale afterwards (the answer for buttons outside any dialogue)", async () => {
  const u = await started("pemasaran");
  await GOOD.pemasaran.product(u, t);
  await u.press(t("request.opt.warung"));
  await u.send("/batal");
  expect(u.lastText()).toBe(t("dialog.cancelled"));
  expect(await ConversationState.countDocuments()).toBe(0);
  const calls = await u.press(t("dialog.done"));
  expect(calls.find((c) => c.method === "answerCallbackQuery")!.payload.text).toBe(t("dialog.old_button"));
  expect(await Request.countDocuments()).toBe(0);
});

test("another request's command mid-dialogue asks to leave, naming the request; 'Tidak' continues with nothing lost", async () => {
  const u = await started("modal");
  await GOOD.modal.purpose(u, t);
  await u.send("/pelatihan");
  expect(u.lastText()).toBe(t("dialog.leave_question", { dialogue: t("dialog.name.request_modal") }));
  await u.press(t("dialog.leave_no"));
  expect(stripTags(u.lastText())).toBe(stripTags(t("request.modal.amount")));
  await GOOD.modal.amount(u, t);
  // A main-menu button mid-dialogue: the same question.
  await u.send(t("request.menu.kemasan"));
  expect(u.lastText()).toBe(t("dialog.leave_question", { dialogue: t("dialog.name.request_modal") }));
  await u.press(t("dialog.leave_no"));
  await GOOD.modal.scope(u, t);
  await GOOD.modal.plan(u, t);
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.answers).toEqual(EXPECTED.modal.answers);
});

test("'Ya, tinggalkan' leaves the request and starts the one picked", async () => {
  const u = await started("produksi");
  await GOOD.produksi.category(u, t);
  await u.send(t("request.menu.pelatihan"));
  await u.press(t("dialog.leave_yes"));
  expect(u.texts().at(-2)).toContain(t("labels.type.pelatihan"));
  expect(stripTags(u.lastText())).toBe(t("request.pelatihan.topic"));
  await fillSteps(u, "pelatihan");
  await u.press(t("request.send"));
  const docs = await Request.find().lean();
  expect(docs.map((d) => d.type)).toEqual(["pelatihan"]);
});

test.each(REQUEST_TYPES)("%s: a brand-new bot instance at every step finishes the dialogue", async (type) => {
  const u = await started(type);
  await fillSteps(u, type, {
    beforeStep: async () => {
      h.restart();
    },
  });
  h.restart();
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.answers).toEqual(EXPECTED[type].answers);
  expect(saved!.attachments).toEqual(EXPECTED[type].attachments);
});

test("a dialogue idle for more than 24 hours is closed; the next message says so and offers the menu", async () => {
  const u = await started("kemasan");
  await GOOD.kemasan.product(u, t);
  const later = Date.now() + 25 * 60 * 60 * 1000;
  const spy = jest.spyOn(Date, "now").mockReturnValue(later);
  try {
    await u.press(t("dialog.skip"));
  } finally {
    spy.mockRestore();
  }
  expect(u.lastText()).toBe(t("dialog.expired"));
  expect(JSON.stringify(h.telegram.lastMessageTo(u.id)!.payload.reply_markup)).toContain(t("request.menu.kemasan"));
  expect(await ConversationState.countDocuments()).toBe(0);
  expect(await Request.countDocuments()).toBe(0);
  // Starting again works at once.
  await u.send(t("request.menu.kemasan"));
  expect(stripTags(u.lastText())).toBe(t("request.kemasan.product"));
});
