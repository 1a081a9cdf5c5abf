/**
 * Exactly one request per dialogue: Kirim pressed twice at once, updates delivered twice mid-dialogue
 * (the Kirim update twice, for every type: requests-all-types.test.ts),
 * Kirim pressed again after a crash lost the dialogue state (the replayed dialogue saves under the
 * same key), and tracking codes that stay unique when many requests are saved at the same moment.
 */
import type { Message } from "grammy/types";
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import type { TestUser } from "./helpers/harness";
import { RecordingHarness, registeredMember, fillSteps, GOOD, EXPECTED, codeIn, seen } from "./helpers/requests";
import { REQUEST_DEFINITIONS } from "../src/domain/request-definitions";
import { REQUEST_TYPES, type RequestType } from "../src/vocabulary/request-types";
import { CODE_PATTERN } from "../src/domain/tracking-code";
import { createRequest } from "../src/domain/requests";
import { Request } from "../src/db/models/request";
import { ConversationState } from "../src/db/models/conversation-state";
import { tFor } from "../src/i18n";

useTestDatabase();

const t = tFor("id");
let h: RecordingHarness;
let nextId = 7600;

beforeEach(async () => {
  await clearDatabase();
  h = new RecordingHarness();
});

async function atSummary(type: RequestType): Promise<TestUser> {
  const u = h.user(nextId++);
  await registeredMember(u.id);
  await u.send(`/${REQUEST_DEFINITIONS[type].command}`);
  await fillSteps(u, type);
  return u;
}

const confirmations = (u: TestUser) => u.texts().filter((x) => x.startsWith("✅ Terima kasih"));

test.each(REQUEST_TYPES)("%s: Kirim pressed twice at the same moment gives one request and one confirmation", async (type) => {
  const u = await atSummary(type);
  const kirim = u.findButton(t("request.send"))!;
  const [a, b] = await Promise.all([u.press(kirim.data, { raw: true, messageId: kirim.messageId }), u.press(kirim.data, { raw: true, messageId: kirim.messageId })]);
  expect(await Request.countDocuments()).toBe(1);
  expect(confirmations(u)).toHaveLength(1);
  // The later press finds the dialogue over: told the button is no longer valid.
  expect([...seen(a), ...seen(b)]).toContain(`toast: ${t("dialog.old_button")}`);
  const saved = await Request.findOne().lean();
  expect(confirmations(u)[0]).toContain(saved!.code);
  expect(saved!.answers).toEqual(EXPECTED[type].answers);
});

test("updates delivered twice mid-dialogue change nothing: a photo is counted once, an answer is not taken for the next question", async () => {
  const u = h.user(nextId++);
  await registeredMember(u.id);
  await u.send("/lapor");
  await GOOD.produksi.category(u, t);
  await GOOD.produksi.product(u, t);
  await u.photo("dup-1");
  await h.redeliver(h.updates.at(-1)!);
  await u.press(t("dialog.photos_finish", { count: 1 }));
  await u.send("Mesin penggiling macet.");
  const before = u.texts().length;
  await h.redeliver(h.updates.at(-1)!);
  expect(u.texts()).toHaveLength(before);
  expect(u.lastText()).toBe(t("request.produksi.urgency"));
  await GOOD.produksi.urgency(u, t);
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.attachments.map((a) => a.fileId)).toEqual(["dup-1"]);
  expect(saved!.answers.description).toBe("Mesin penggiling macet.");
});

test("Kirim pressed again after a crash lost the dialogue state: the replayed dialogue finds the request already saved", async () => {
  const u = await atSummary("produksi");
  const snapshot = await ConversationState.findOne().lean();
  expect(snapshot).not.toBeNull();
  await u.press(t("request.send"));
  const code = codeIn(u.lastText());
  expect(await ConversationState.countDocuments()).toBe(0);
  // The process died after saving the request but before the dialogue state was written: the
  // state is the one from before Kirim, and a new instance takes over.
  await ConversationState.collection.insertOne(snapshot as never);
  h.restart();
  const summary = h.telegram
    .callsOf("sendMessage", u.id)
    .filter((c) => String(c.payload.text).includes("Ringkasan"))
    .at(-1)!;
  await u.press("c:0", { raw: true, messageId: (summary.result as Message).message_id });
  expect(codeIn(u.lastText())).toBe(code);
  expect(await Request.countDocuments()).toBe(1);
});

test("ten members pressing Kirim at the same moment get ten different codes", async () => {
  const users: TestUser[] = [];
  for (let i = 0; i < 10; i++) users.push(await atSummary("kemasan"));
  await Promise.all(users.map((u) => u.press(t("request.send"))));
  const codes = users.map((u) => codeIn(u.lastText()));
  expect(new Set(codes).size).toBe(10);
  expect(await Request.countDocuments({ type: "kemasan" })).toBe(10);
  const docs = await Request.find().lean();
  expect(docs.map((d) => d.code).sort()).toEqual([...codes].sort());
});

test("codes stay unique under 50 concurrent submissions; the same submission racing itself is saved once", async () => {
  const member = await registeredMember(nextId++);
  const now = new Date();
  const base = { member: { id: member.id, telegramId: member.telegramId, sentraId: member.sentraId, kecamatan: member.kecamatan! }, attachments: [], now };
  const saved = await Promise.all(
    Array.from({ length: 50 }, (_, i) => createRequest({ sla: SLA_DEFAULTS, ...base, type: "produksi", answers: { n: i }, sourceKey: `bench:${i}` })),
  );
  const codes = saved.map((r) => r.code);
  expect(new Set(codes).size).toBe(50);
  for (const c of codes) expect(c).toMatch(CODE_PATTERN);
  expect(await Request.countDocuments({ type: "produksi" })).toBe(50);

  const same = await Promise.all(Array.from({ length: 5 }, () => createRequest({ sla: SLA_DEFAULTS, ...base, type: "modal", answers: {}, sourceKey: "same-dialogue" })));
  expect(new Set(same.map((r) => r.code)).size).toBe(1);
  expect(await Request.countDocuments({ type: "modal" })).toBe(1);
}, 60_000);
