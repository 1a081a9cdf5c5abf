/**
 * Routing by request type and kecamatan (most specific rule first, a request no rule fits still
 * reaches the group), who may press card buttons (identity from the sender only, forged and
 * foreign presses refused and logged without phone numbers), and two officers pressing at once.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import { Harness, TestUser, testConfig } from "./helpers/harness";
import { ADMIN, GROUP, addOfficer, cardMessageId, cardText, linkGroup, newMember, newRequest, officerHarness, seedWorld } from "./helpers/officers";
import { createLogger } from "../src/logger";
import { Request } from "../src/db/models/request";
import { Outbox } from "../src/db/models/outbox";
import { changeStatus, claimRequest } from "../src/domain/workflow";
import { inOrder, mentionOf, templateRegex, textOf } from "./helpers/localeText";
import { tFor, typeWords } from "../src/i18n";

const t = tFor("id");

useTestDatabase();

beforeEach(async () => {
  await clearDatabase();
});

test("routing: type and kecamatan together beat either alone; no rule still reaches the group, unassigned", async () => {
  const { sentraId } = await seedWorld();
  const h = officerHarness();
  const admin = await linkGroup(h);
  await addOfficer(h, admin, 9101, "Made", "kemasan, pemasaran");
  await addOfficer(h, admin, 9102, "Komang", "Kuta, Kuta Utara");
  const NAMES: Record<number, string> = { 9101: "Made", 9102: "Komang", 9103: "Wayan" };
  await addOfficer(h, admin, 9103, "Wayan", "kemasan, Mengwi");
  const mengwi = await newMember(5101, { sentraId, kecamatan: "Mengwi" });
  const kuta = await newMember(5102, { kecamatan: "Kuta" });
  const petang = await newMember(5103, { kecamatan: "Petang" });

  const cases = [
    { r: await newRequest(mengwi, "kemasan"), routed: 9103 }, // type + kecamatan
    { r: await newRequest(kuta, "kemasan"), routed: 9101 }, // type beats kecamatan
    { r: await newRequest(mengwi, "pemasaran"), routed: 9101 }, // type only
    { r: await newRequest(kuta, "modal"), routed: 9102 }, // kecamatan only
    { r: await newRequest(petang, "pelatihan"), routed: null }, // nothing fits
  ];
  await h.drain();
  for (const c of cases) {
    expect((await Request.findById(c.r.id).lean())!.routedToTelegramId).toBe(c.routed);
    const card = await cardText(h, c.r.id);
    if (c.routed) expect(card).toContain(textOf("officer.card.routed", { officer: mentionOf(c.routed, NAMES[c.routed]!) }));
    else expect(card).toMatch(inOrder(textOf("officer.card.routed_none"), textOf("officer.card.assignee_none")));
  }
});

test("routing among equal rules goes to the officer with fewer open requests", async () => {
  await seedWorld();
  const h = officerHarness();
  const admin = await linkGroup(h);
  await addOfficer(h, admin, 9101, "Made", "produksi");
  await addOfficer(h, admin, 9102, "Komang", "produksi");
  const m = await newMember(5101);
  const routed: number[] = [];
  for (let i = 0; i < 4; i++) routed.push((await Request.findById((await newRequest(m, "produksi")).id).lean())!.routedToTelegramId!);
  expect(routed.sort()).toEqual([9101, 9101, 9102, 9102]);
});

/** The real logger (with its redaction), writing lines into an array. */
function capture() {
  const lines: string[] = [];
  return { logger: createLogger({ logLevel: "info", nodeEnv: "test" }, { write: (line: string) => void lines.push(line) }), lines };
}

test("forged and foreign button presses are refused, logged, and change nothing", async () => {
  const { sentraId } = await seedWorld();
  const { logger, lines } = capture();
  const h = new Harness(testConfig({ ADMIN_IDS: String(ADMIN), LOG_LEVEL: "info" }), logger);
  const admin = await linkGroup(h);
  const made = await addOfficer(h, admin, 9101, "Made", "kemasan");
  const komang = await addOfficer(h, admin, 9102, "Komang", "kemasan");
  const m = await newMember(5101, { sentraId });
  const r1 = await newRequest(m, "kemasan");
  const r2 = await newRequest(m, "kemasan");
  await h.drain();
  const card1 = await cardMessageId(r1.id);
  const answerOf = (calls: { method: string; payload: Record<string, unknown> }[]) => calls.find((c) => c.method === "answerCallbackQuery")!.payload;

  // A group member who is not an officer.
  const stranger = h.inGroup(GROUP, 7777, { first_name: "Tamu" });
  expect(answerOf(await stranger.press("Ambil", { messageId: card1 }))).toMatchObject({ show_alert: true, text: textOf("officer.cb.not_staff") });
  // The member themself, pressing a card button in their private chat with forged data.
  expect(answerOf(await h.user(5101).press(`oc:claim:${r1.id}`, { raw: true }))).toMatchObject({ show_alert: true, text: textOf("officer.cb.not_staff") });
  // An officer with data naming request 2 on request 1's card.
  expect(answerOf(await made.press(`oc:claim:${r2.id}`, { raw: true, messageId: card1 }))).toMatchObject({ show_alert: true, text: textOf("officer.cb.stale") });
  // Data that is not a card button at all.
  expect(answerOf(await made.press(`oc:claim:not-an-id`, { raw: true, messageId: card1 })).text).toBe(textOf("dialog.old_button_group"));
  expect(answerOf(await made.press(`oc:claim:${"f".repeat(24)}`, { raw: true, messageId: card1 })).text).toBe(textOf("officer.cb.not_found"));
  expect(await Request.findById(r1.id).lean()).toMatchObject({ assigneeTelegramId: null, status: "diterima" });
  expect(await Request.findById(r2.id).lean()).toMatchObject({ assigneeTelegramId: null, status: "diterima" });

  // Claimed by Made: Komang may not move it, the admin may take it over.
  await made.press("Ambil", { messageId: card1 });
  await h.drain();
  expect(answerOf(await komang.press(`oc:review:${r1.id}`, { raw: true, messageId: card1 })).text).toBe(textOf("officer.cb.claimed_by_other", { code: r1.code, officer: "Made" }));
  expect(answerOf(await admin.press(`oc:claim:${r1.id}`, { raw: true, messageId: card1 })).text).toBe(textOf("officer.cb.claimed", { code: r1.code }));
  await h.drain();
  expect((await Request.findById(r1.id).lean())!.assigneeTelegramId).toBe(ADMIN);
  // The admin is not in the officers list: the card names them as Telegram did when they took it.
  expect(await cardText(h, r1.id)).toContain(textOf("officer.card.assignee", { officer: mentionOf(9000, "Admin Diskop") }));

  const refusals = lines.filter((l) => /card button refused|not on the request's card/.test(l));
  expect(refusals.length).toBeGreaterThanOrEqual(3);
  expect(refusals.some((l) => l.includes('"user_id":7777'))).toBe(true);
  expect(lines.join("\n")).not.toMatch(/81234567890/);
});

test("two officers pressing at once: exactly one claim, one status change, one message each", async () => {
  const { sentraId } = await seedWorld();
  const h = officerHarness();
  const admin = await linkGroup(h);
  const made = await addOfficer(h, admin, 9101, "Made", "kemasan");
  await addOfficer(h, admin, 9102, "Komang", "kemasan");
  const m = await newMember(5101, { sentraId });
  const r = await newRequest(m, "kemasan");
  await h.drain();
  const cardId = await cardMessageId(r.id);

  // Two processes: a second bot instance on the same database and the same Telegram.
  const h2 = officerHarness();
  h2.telegram = h.telegram;
  h2.restart();
  const komang2: TestUser = h2.inGroup(GROUP, 9102, { first_name: "Komang" });
  const before = h.telegram.calls.length;
  await Promise.all([made.press("Ambil", { messageId: cardId }), komang2.press("Ambil", { messageId: cardId })]);
  const texts = h.telegram.calls
    .slice(before)
    .filter((c) => c.method === "answerCallbackQuery")
    .map((c) => String(c.payload.text));
  expect(texts).toHaveLength(2);
  expect(texts.filter((t) => t === textOf("officer.cb.claimed", { code: r.code }))).toHaveLength(1);
  expect(texts.filter((t) => templateRegex("officer.cb.claimed_by_other", { vars: { code: r.code } }).test(t))).toHaveLength(1);
  const doc = await Request.findById(r.id).lean();
  expect(doc!.timeline.filter((e) => e.kind === "claim")).toHaveLength(1);
  expect(await Outbox.countDocuments({ kind: "officer_contact" })).toBe(1);

  // The same in the domain, many at once: one status change wins, the rest are told why.
  const winner = doc!.assigneeTelegramId!;
  const actor = { telegramId: winner, role: "officer" as const, name: "x" };
  const now = h.clock.now();
  const results = await Promise.all(Array.from({ length: 6 }, () => changeStatus(r.id, actor, "ditelaah", undefined, { now: now, sla: SLA_DEFAULTS })));
  expect(results.filter((x) => x.ok)).toHaveLength(1);
  expect(results.filter((x) => !x.ok).map((x) => !x.ok && x.reason)).toEqual(Array(5).fill("same"));
  const claims = await Promise.all([9101, 9102].map((id) => claimRequest(r.id, { telegramId: id, role: "officer", name: "x" }, { now: now, sla: SLA_DEFAULTS })));
  expect(claims.filter((c) => c.ok && !c.again)).toHaveLength(0);
  const after = await Request.findById(r.id).lean();
  expect(after!.timeline.filter((e) => e.kind === "status")).toHaveLength(1);
  await h.drain();
  // One "taken by an officer" (the one claim) and one "being reviewed" (the one status change).
  expect(await Outbox.countDocuments({ kind: "member" })).toBe(2);
  const toMember = h.telegram.callsOf("sendMessage", 5101).map((c) => String(c.payload.text));
  expect(toMember).toEqual([
    t("officer.member.claimed", { ...typeWords(t, r.type), code: r.code }),
    t("officer.member.status.ditelaah", { ...typeWords(t, r.type), code: r.code, note: "" }),
  ]);
});
