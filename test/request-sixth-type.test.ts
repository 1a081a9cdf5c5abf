/**
 * "A sixth type is a definition only": a test-only type `uji` is added the way a real one would
 * be (its name in request-types.ts with a code prefix, its steps in request-definitions.ts, its
 * texts in the locale files), here by mocking those two modules for this test file and adding the
 * texts at run time. No dialogue code knows it, yet the real bot runs it end to end. Its steps use
 * the kinds no real type uses: a required `text` step, a `number` counted in units, a required
 * `photos` step, and an optional `text` step (skipped by "Lewati", typed or pressed).
 */
jest.mock("../src/vocabulary/request-types", () => {
  const actual = jest.requireActual("../src/vocabulary/request-types");
  const REQUEST_TYPES = [...actual.REQUEST_TYPES, "uji"];
  return {
    ...actual,
    REQUEST_TYPES,
    CODE_PREFIX: { ...actual.CODE_PREFIX, uji: "UJI" },
    isRequestType: (v: unknown) => typeof v === "string" && REQUEST_TYPES.includes(v),
  };
});
jest.mock("../src/domain/request-definitions", () => {
  const actual = jest.requireActual("../src/domain/request-definitions");
  const step = (key: string, kind: string, rest: Record<string, unknown> = {}) => ({ key, kind, prompt: `request.uji.${key}`, label: `request.uji.${key}_label`, ...rest });
  const definitions = {
    ...actual.REQUEST_DEFINITIONS,
    uji: {
      type: "uji",
      command: "uji",
      steps: [
        step("event", "text", { max: 100 }),
        step("visitors", "number", { unit: "count", min: 1, max: 500 }),
        step("photos", "photos", { max: 3 }),
        step("note", "text", { optional: true, max: 200 }),
      ],
    },
  };
  return { ...actual, REQUEST_DEFINITIONS: definitions, requestDefinition: (type: string) => definitions[type] };
});

import { useTestDatabase, clearDatabase } from "./helpers/db";
import type { TestUser } from "./helpers/harness";
import { RecordingHarness, registeredMember, codeIn, seen, stripTags } from "./helpers/requests";
import { CODE_PATTERN } from "../src/domain/tracking-code";
import { Request } from "../src/db/models/request";
import { getI18n, tFor } from "../src/i18n";
import { mainMenuKeyboard } from "../src/bot/keyboards/main-menu";

const TEXTS = {
  id: {
    menu: { uji: "🧪 Uji" },
    uji: {
      event: "Nama kegiatannya apa?",
      event_label: "Kegiatan",
      visitors: "Berapa orang yang datang?",
      visitors_label: "Pengunjung",
      photos: "Kirim 1–3 foto kegiatan, lalu tekan <b>Selesai</b>.",
      photos_label: "Foto",
      note: "Ada catatan? Tulis, atau tekan <b>Lewati</b>.",
      note_label: "Catatan",
    },
  },
  en: {
    menu: { uji: "🧪 Test" },
    uji: {
      event: "What is the event called?",
      event_label: "Event",
      visitors: "How many people came?",
      visitors_label: "Visitors",
      photos: "Send 1–3 photos of the event, then press <b>Done</b>.",
      photos_label: "Photos",
      note: "Any note? Type it, or press <b>Skip</b>.",
      note_label: "Note",
    },
  },
};
for (const lng of ["id", "en"] as const) {
  getI18n().addResourceBundle(
    lng,
    "translation",
    { request: TEXTS[lng], labels: { type: { uji: lng === "id" ? "Uji coba" : "Trial" } }, dialog: { name: { request_uji: "uji coba" } } },
    true,
    true,
  );
}

useTestDatabase();

const t = tFor("id");
let h: RecordingHarness;
let nextId = 7800;

beforeEach(async () => {
  await clearDatabase();
  h = new RecordingHarness();
});

/** Starts `uji` by its command and answers the first two steps, with a bad input at each. */
async function upToPhotos(): Promise<TestUser> {
  const u = h.user(nextId++);
  await registeredMember(u.id);
  await u.send("/uji");
  expect(u.texts().at(-2)).toContain("Uji coba");
  expect(u.lastText()).toBe(TEXTS.id.uji.event);
  expect(seen(await u.sticker())).toEqual([t("dialog.sticker_text"), TEXTS.id.uji.event]);
  await u.send("Pameran\nUMKM   Badung");
  expect(u.lastText()).toBe(TEXTS.id.uji.visitors);
  // A count is a whole number: "5 juta" or "2,5" is not one.
  expect(seen(await u.send("2,5"))).toEqual([t("dialog.number_invalid"), TEXTS.id.uji.visitors]);
  expect(seen(await u.send("900"))).toEqual([t("dialog.number_range", { min: "1", max: "500" }), TEXTS.id.uji.visitors]);
  await u.send("120 orang");
  expect(stripTags(u.lastText())).toBe(stripTags(TEXTS.id.uji.photos));
  // Required: no skip button, and neither "Lewati" nor "Selesai" moves on without a photo.
  expect(u.findButton(t("dialog.skip"), (h.telegram.lastMessageTo(u.id)!.result as { message_id: number }).message_id)).toBeUndefined();
  expect(seen(await u.send("lewati"))).toEqual([t("dialog.expect_photo"), TEXTS.id.uji.photos]);
  return u;
}

async function send(u: TestUser) {
  expect(stripTags(u.lastText())).toContain("Ringkasan: Uji coba");
  await u.press(t("request.send"));
  const code = codeIn(u.lastText());
  expect(code).toMatch(CODE_PATTERN);
  expect(code.startsWith("UJI-")).toBe(true);
  return (await Request.findOne({ code }).lean())!;
}

test("typed 'Lewati' skips the optional text step (nothing stored); every other kind works through the real bot", async () => {
  const u = await upToPhotos();
  await u.photo("uji-1", { caption: "Stan kami" });
  await u.press(t("dialog.photos_finish", { count: 1 }));
  expect(stripTags(u.lastText())).toBe(stripTags(TEXTS.id.uji.note));
  await u.send("Lewati");
  const summary = stripTags(u.lastText());
  expect(summary).toContain("Kegiatan: Pameran UMKM Badung");
  expect(summary).toContain("Pengunjung: 120");
  expect(summary).toContain("Foto: 1 foto, keterangan: Stan kami");
  expect(summary).toContain(`Catatan: ${t("request.none")}`);
  const saved = await send(u);
  expect(saved.type).toBe("uji");
  expect(saved.answers).toEqual({ event: "Pameran UMKM Badung", visitors: 120 });
  expect(saved.attachments).toEqual([{ kind: "photo", field: "photos", fileId: "uji-1", fileUniqueId: "uji-1-u", caption: "Stan kami" }]);
});

test("the 'Lewati' button skips the optional text step; a note typed straight after the photos answers it", async () => {
  const u = await upToPhotos();
  await u.photo("uji-2");
  await u.press(t("dialog.photos_finish", { count: 1 }));
  await u.press(t("dialog.skip"));
  expect((await send(u)).answers).toEqual({ event: "Pameran UMKM Badung", visitors: 120 });

  const v = await upToPhotos();
  await v.photo("uji-3", { mediaGroupId: "uji-album" });
  await v.photo("uji-4", { mediaGroupId: "uji-album" });
  await v.send("Stan ramai sampai sore.");
  const saved = await send(v);
  expect(saved.answers).toEqual({ event: "Pameran UMKM Badung", visitors: 120, note: "Stan ramai sampai sore." });
  expect(saved.attachments.map((a) => a.fileId)).toEqual(["uji-3", "uji-4"]);
});

test("the sixth type has its main-menu button, which starts it (here in English)", async () => {
  expect(JSON.stringify(mainMenuKeyboard(tFor("en")).keyboard)).toContain(TEXTS.en.menu.uji);
  const u = h.user(nextId++, { language_code: "en" });
  await registeredMember(u.id, { locale: "en" });
  await u.send(TEXTS.en.menu.uji);
  expect(u.texts().at(-2)).toContain("Trial");
  expect(u.lastText()).toBe(TEXTS.en.uji.event);
});
