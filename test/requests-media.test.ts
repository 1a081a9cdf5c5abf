/**
 * Photos and voice notes in requests: albums counted photo by photo, at most five (the sixth
 * refused politely, the others kept), "Selesai", skipping, moving on by simply answering the next
 * question, documents instead of photos, and a voice note wherever a description is asked.
 * Only Telegram file ids are kept: nothing is downloaded (no getFile call).
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import type { TestUser } from "./helpers/harness";
import { RecordingHarness, registeredMember, GOOD, codeIn, stripTags, seen } from "./helpers/requests";
import { Request } from "../src/db/models/request";
import { tFor } from "../src/i18n";

useTestDatabase();

const t = tFor("id");
let h: RecordingHarness;
let nextId = 7400;

beforeEach(async () => {
  await clearDatabase();
  h = new RecordingHarness();
});

/** A Kendala produksi started and answered up to its photo step. */
async function atPhotoStep(): Promise<TestUser> {
  const u = h.user(nextId++);
  await registeredMember(u.id);
  await u.send("/lapor");
  await GOOD.produksi.category(u, t);
  await GOOD.produksi.product(u, t);
  expect(stripTags(u.lastText())).toBe(stripTags(t("request.produksi.photos")));
  return u;
}

async function finishProduksi(u: TestUser) {
  await GOOD.produksi.urgency(u, t);
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(h.telegram.calls.filter((c) => c.method === "getFile")).toHaveLength(0);
  return saved!;
}

const photosOf = (saved: { attachments: { kind: string; fileId: string }[] }) => saved.attachments.filter((a) => a.kind === "photo").map((a) => a.fileId);

test("an album of three is counted in one message, a fourth photo alone gets its own, 'Selesai' keeps all four in order", async () => {
  const u = await atPhotoStep();
  const sends = h.telegram.callsOf("sendMessage", u.id).length;
  for (const id of ["al-1", "al-2", "al-3"]) await u.photo(id, { mediaGroupId: "album-1" });
  // One count message for the album, edited as the photos arrive.
  expect(h.telegram.callsOf("sendMessage", u.id).length).toBe(sends + 1);
  expect(u.lastText()).toBe(t("dialog.photo_received", { count: 3, max: 5 }));
  expect(h.telegram.calls.map((c) => c.method).slice(-3)).toEqual(["sendMessage", "editMessageText", "editMessageText"].slice(-3));
  await u.photo("single-4");
  expect(u.lastText()).toBe(t("dialog.photo_received", { count: 4, max: 5 }));
  await u.press(t("dialog.photos_finish", { count: 4 }));
  expect(u.texts().at(-2)).toContain(t("dialog.photos_saved", { count: 4 }));
  expect(stripTags(u.lastText())).toBe(stripTags(t("request.produksi.description")));
  await GOOD.produksi.description(u, t);
  const saved = await finishProduksi(u);
  expect(photosOf(saved)).toEqual(["al-1", "al-2", "al-3", "single-4"]);
  expect(saved.attachments[0]).toEqual({ kind: "photo", field: "photos", fileId: "al-1", fileUniqueId: "al-1-u" });
});

test("an album of six: five kept, the sixth refused once and politely", async () => {
  const u = await atPhotoStep();
  const replies: string[] = [];
  for (let i = 1; i <= 6; i++) replies.push(...seen(await u.photo(`six-${i}`, { mediaGroupId: "album-6" })));
  expect(replies.filter((r) => r === t("dialog.photo_limit", { max: 5 }))).toHaveLength(1);
  expect(replies.at(-1)).toBe(t("dialog.photo_limit", { max: 5 }));
  await u.press(t("dialog.photos_finish", { count: 5 }));
  await GOOD.produksi.description(u, t);
  const saved = await finishProduksi(u);
  expect(photosOf(saved)).toEqual(["six-1", "six-2", "six-3", "six-4", "six-5"]);
});

test("single photos: the sixth and seventh are refused each time, the five kept", async () => {
  const u = await atPhotoStep();
  for (let i = 1; i <= 5; i++) await u.photo(`s-${i}`);
  expect(seen(await u.photo("s-6"))).toEqual([t("dialog.photo_limit", { max: 5 })]);
  expect(seen(await u.photo("s-7"))).toEqual([t("dialog.photo_limit", { max: 5 })]);
  await u.press(t("dialog.photos_finish", { count: 5 }));
  await GOOD.produksi.description(u, t);
  expect(photosOf(await finishProduksi(u))).toEqual(["s-1", "s-2", "s-3", "s-4", "s-5"]);
});

test("skipping the optional photos: 'Lewati', or typing it", async () => {
  const u = await atPhotoStep();
  await u.press(t("dialog.skip"));
  expect(stripTags(u.lastText())).toBe(stripTags(t("request.produksi.description")));
  await GOOD.produksi.description(u, t);
  expect((await finishProduksi(u)).attachments).toEqual([]);

  const v = await atPhotoStep();
  await v.send("lewati");
  expect(stripTags(v.lastText())).toBe(stripTags(t("request.produksi.description")));
});

test("after photos the member simply types the description: the count message is closed, the description question skipped", async () => {
  const u = await atPhotoStep();
  await u.photo("p-1");
  const calls = await u.send("Adonan tidak mengembang sejak ganti tepung.");
  const shown = seen(calls);
  expect(shown[0]).toContain(t("dialog.photos_saved", { count: 1 }));
  expect(shown.at(-1)).toBe(t("request.produksi.urgency"));
  expect(shown.join("\n")).not.toContain(stripTags(t("request.produksi.description")).slice(0, 20));
  const saved = await finishProduksi(u);
  expect(saved.answers.description).toBe("Adonan tidak mengembang sejak ganti tepung.");
  expect(photosOf(saved)).toEqual(["p-1"]);
});

test("a voice note as the description (after 'Selesai', or straight after the photos) is kept by file id", async () => {
  const u = await atPhotoStep();
  await u.photo("v-1");
  await u.press(t("dialog.photos_finish", { count: 1 }));
  await u.voice("desc-voice-1", 31);
  expect(u.lastText()).toBe(t("request.produksi.urgency"));
  const saved = await finishProduksi(u);
  expect(saved.answers).not.toHaveProperty("description");
  expect(saved.attachments).toEqual([
    { kind: "photo", field: "photos", fileId: "v-1", fileUniqueId: "v-1-u" },
    { kind: "voice", field: "description", fileId: "desc-voice-1", fileUniqueId: "desc-voice-1-u", duration: 31 },
  ]);

  const w = await atPhotoStep();
  await w.voice("desc-voice-2", 8);
  const saved2 = await finishProduksi(w);
  expect(saved2.attachments).toEqual([{ kind: "voice", field: "description", fileId: "desc-voice-2", fileUniqueId: "desc-voice-2-u", duration: 8 }]);
});

test("a voice note for the training goal (Pelatihan; the plan of Bantuan modal is one in the happy path)", async () => {
  const u = h.user(nextId++);
  await registeredMember(u.id);
  await u.send("/pelatihan");
  await u.press(t("request.opt.topik_kemasan"));
  await GOOD.pelatihan.scope(u, t);
  await u.voice("goal-voice", 15);
  expect(stripTags(u.lastText())).toContain("Tujuan: 🎤 pesan suara (15 detik)");
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.attachments).toEqual([{ kind: "voice", field: "goal", fileId: "goal-voice", fileUniqueId: "goal-voice-u", duration: 15 }]);
});

test("a document instead of a photo: asked to send it as a photo, photos so far kept", async () => {
  const u = await atPhotoStep();
  await u.photo("d-1");
  const shown = seen(await u.document("foto.jpg"));
  expect(shown[0]).toBe(t("dialog.photo_as_document"));
  expect(shown[1]).toBe(t("request.produksi.photos"));
  // The question asked again carries the "Selesai" button with the count so far.
  expect(JSON.stringify(h.telegram.lastMessageTo(u.id)!.payload.reply_markup)).toContain(t("dialog.photos_finish", { count: 1 }));
  await u.photo("d-2");
  await u.press(t("dialog.photos_finish", { count: 2 }));
  await GOOD.produksi.description(u, t);
  expect(photosOf(await finishProduksi(u))).toEqual(["d-1", "d-2"]);
});

test("Bantuan kemasan: text or voice at the packaging photos (the next question is buttons) asks for photos again, photos kept", async () => {
  const u = h.user(nextId++);
  await registeredMember(u.id);
  await u.send("/kemasan");
  await GOOD.kemasan.product(u, t);
  await u.photo("pk-1", { mediaGroupId: "pk" });
  await u.photo("pk-2", { mediaGroupId: "pk" });
  expect(seen(await u.send("label yang menarik"))).toEqual([t("dialog.expect_photo"), t("request.kemasan.packaging")]);
  expect(seen(await u.voice())).toEqual([t("dialog.expect_photo"), t("request.kemasan.packaging")]);
  await u.press(t("dialog.photos_finish", { count: 2 }));
  await GOOD.kemasan.wants(u, t);
  await GOOD.kemasan.quantity(u, t);
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.attachments.map((a) => [a.field, a.fileId])).toEqual([
    ["packaging", "pk-1"],
    ["packaging", "pk-2"],
  ]);
});

test("'Selesai' forged onto the photo question before any photo: told to send one first, nothing moves on", async () => {
  const u = await atPhotoStep();
  const prompt = h.telegram.lastMessageTo(u.id)!.result as { message_id: number };
  const calls = await u.press("ph:done", { raw: true, messageId: prompt.message_id });
  expect(calls.find((c) => c.method === "answerCallbackQuery")!.payload.text).toBe(t("dialog.photo_need_one"));
  expect(stripTags(u.lastText())).toBe(stripTags(t("request.produksi.photos")));
});

test("a photo's caption is kept on the photo (at most 1000 characters) and shown in the summary (shortened to 200)", async () => {
  const u = await atPhotoStep();
  await u.photo("cap-1", { caption: "  Mesin <penggiling> macet  " });
  await u.photo("cap-2");
  await u.photo("cap-3", { caption: "x".repeat(1024) });
  await u.press(t("dialog.photos_finish", { count: 3 }));
  await GOOD.produksi.description(u, t);
  await GOOD.produksi.urgency(u, t);
  const summary = u.lastText();
  expect(summary).toContain(`<b>${t("request.produksi.photos_label")}:</b> 3 foto, keterangan: Mesin &lt;penggiling&gt; macet; ${"x".repeat(199)}…`);
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.attachments).toEqual([
    { kind: "photo", field: "photos", fileId: "cap-1", fileUniqueId: "cap-1-u", caption: "Mesin <penggiling> macet" },
    { kind: "photo", field: "photos", fileId: "cap-2", fileUniqueId: "cap-2-u" },
    { kind: "photo", field: "photos", fileId: "cap-3", fileUniqueId: "cap-3-u", caption: "x".repeat(1000) },
  ]);
});
