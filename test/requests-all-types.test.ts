/**
 * The same checks for every one of the five types: the Kirim update delivered twice gives one
 * request, the whole dialogue in English, and a main-menu button mid-dialogue asks whether to leave
 * ("Tidak, lanjutkan" asks the question again and nothing is lost).
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { RecordingHarness, registeredMember, fillSteps, EXPECTED, codeIn, seen, stripTags } from "./helpers/requests";
import { REQUEST_DEFINITIONS } from "../src/domain/request-definitions";
import { REQUEST_TYPES } from "../src/vocabulary/request-types";
import { Request } from "../src/db/models/request";
import { ConversationState } from "../src/db/models/conversation-state";
import { tFor, typeWords } from "../src/i18n";

useTestDatabase();

const t = tFor("id");
const en = tFor("en");
let h: RecordingHarness;
let nextId = 7900;

beforeEach(async () => {
  await clearDatabase();
  h = new RecordingHarness();
});

const TYPES = REQUEST_TYPES.map((type) => [type] as const);

test.each(TYPES)("%s: the Kirim update delivered twice (also to a new bot instance) gives one request and one confirmation", async (type) => {
  const u = h.user(nextId++);
  await registeredMember(u.id);
  await u.send(`/${REQUEST_DEFINITIONS[type].command}`);
  await fillSteps(u, type);
  await u.press(t("request.send"));
  const kirim = h.updates.at(-1)!;
  expect(kirim.callback_query).toBeDefined();
  expect(seen(await h.redeliver(kirim))).toEqual([]);
  h.restart();
  expect(seen(await h.redeliver(kirim))).toEqual([]);
  const saved = await Request.find().lean();
  expect(saved).toHaveLength(1);
  expect(saved[0].answers).toEqual(EXPECTED[type].answers);
  expect(u.texts().filter((x) => x.includes(saved[0].code))).toHaveLength(1);
});

test.each(TYPES)("%s in English from the menu button to the confirmation; the answers are stored the same", async (type) => {
  const u = h.user(nextId++, { language_code: "en" });
  await registeredMember(u.id, { locale: "en" });
  await u.send(en(`request.menu.${type}`));
  expect(u.texts().at(-2)).toContain(en(`labels.type.${type}`));
  await fillSteps(u, type, { locale: "en" });
  await u.press(en("request.send"));
  expect(u.lastText()).toContain(en("request.sent", { ...typeWords(en, type), code: codeIn(u.lastText()) }).split("\n")[0]);
  // Nothing Indonesian on the way (the member's own product names aside).
  expect(u.texts().join("\n")).not.toMatch(/Bapak|Ibu|Mohon|Ringkasan|Kirim|Lewati|Selesai|pertanyaan/);
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.answers).toEqual(EXPECTED[type].answers);
  expect(saved!.attachments).toEqual(EXPECTED[type].attachments);
});

test.each(TYPES)("%s: a main-menu button mid-dialogue asks whether to leave; 'Tidak, lanjutkan' asks the question again, nothing is lost", async (type) => {
  const u = h.user(nextId++);
  await registeredMember(u.id);
  await u.send(t(`request.menu.${type}`));
  const question = stripTags(u.lastText());
  expect(seen(await u.send(t("menu.status")))).toEqual([t("dialog.leave_question", { dialogue: t(`dialog.name.request_${type}`) })]);
  await u.press(t("dialog.leave_no"));
  expect(stripTags(u.lastText())).toBe(question);
  await fillSteps(u, type);
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.answers).toEqual(EXPECTED[type].answers);
  expect(await ConversationState.countDocuments()).toBe(0);
});
