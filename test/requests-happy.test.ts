/**
 * The five request types end to end through the real bot and MongoDB: started from the main menu
 * or the command, answered, summarised, sent; the saved request, the code and the main menu after
 * it. Also two open requests of one member, and an unregistered user onboarded first (English for
 * every type: requests-all-types.test.ts).
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { RecordingHarness, registeredMember, fillSteps, EXPECTED, GOOD, codeIn, stripTags, summaryTitle, seen } from "./helpers/requests";
import { REQUEST_DEFINITIONS } from "../src/domain/request-definitions";
import { REQUEST_TYPES } from "../src/vocabulary/request-types";
import { CODE_PATTERN } from "../src/domain/tracking-code";
import { Request } from "../src/db/models/request";
import { Member } from "../src/db/models/member";
import { ConversationState } from "../src/db/models/conversation-state";
import { tFor } from "../src/i18n";

useTestDatabase();

const t = tFor("id");
let h: RecordingHarness;

beforeEach(async () => {
  await clearDatabase();
  h = new RecordingHarness();
});

describe.each(REQUEST_TYPES.map((type, i) => [type, i] as const))("%s", (type, i) => {
  test("happy path: every answer saved with a readable code, status diterima, the main menu after", async () => {
    const u = h.user(7200 + i);
    const member = await registeredMember(u.id);
    // Odd types start from the menu button, even ones from the command: both ways are exercised.
    if (i % 2 === 0) await u.send(t(`request.menu.${type}`));
    else await u.send(`/${REQUEST_DEFINITIONS[type].command}`);
    expect(u.texts().at(-2)).toBe(t("request.intro", { type: t(`labels.type.${type}`) }));
    // It gives no count: a "Lainnya" detail or a typed product would make it wrong.
    expect(u.texts().at(-2)).toContain("beberapa pertanyaan");
    await fillSteps(u, type);

    const summary = stripTags(u.lastText());
    expect(summary).toContain(summaryTitle(type, t));
    // The open dialogue's stored state knows what it needs of the member, not their phone or name.
    const state = (await ConversationState.findById(String(u.id)).lean())!.data;
    expect(state).not.toContain("6281234567890");
    expect(state).not.toContain(`Anggota ${u.id}`);
    for (const s of REQUEST_DEFINITIONS[type].steps) expect(summary).toContain(`${t(s.label)}:`);
    expect(await Request.countDocuments()).toBe(0);

    await u.press(t("request.send"));
    const last = h.telegram.lastMessageTo(u.id)!;
    const code = codeIn(String(last.payload.text));
    expect(code).toMatch(CODE_PATTERN);
    expect(String(last.payload.text)).toContain(t("labels.type." + type));
    expect(JSON.stringify(last.payload.reply_markup)).toContain(t(`request.menu.${type}`));

    const saved = await Request.findOne({ code }).lean();
    expect(saved).toMatchObject({
      type,
      status: "diterima",
      memberTelegramId: u.id,
      kecamatan: "Mengwi",
      answers: EXPECTED[type].answers,
    });
    expect(saved!.answers).toEqual(EXPECTED[type].answers);
    expect(saved!.attachments).toEqual(EXPECTED[type].attachments);
    expect(String(saved!.memberId)).toBe(member.id);
    expect(String(saved!.sentraId)).toBe(member.sentraId);
    expect(saved!.timeline).toHaveLength(1);
    expect(saved!.timeline[0]).toMatchObject({ kind: "created", to: "diterima", by: u.id, role: "member" });
    expect(await ConversationState.countDocuments()).toBe(0);
  });
});

test("the summary shows the answers in words (options, rupiah, voice note) and escapes what the member typed", async () => {
  const u = h.user(7210);
  await registeredMember(u.id, { products: "kue <potong> & pastel" });
  await u.send("/modal");
  await u.press(t("request.opt.lainnya"));
  await u.send("Oven <besar> & mixer");
  await u.send("Rp 2.500.000");
  await u.press(t("request.opt.sendiri"));
  await u.voice("mdl-v", 9);
  const html = u.lastText();
  expect(html).toContain("<b>Untuk:</b> Lainnya: Oven &lt;besar&gt; &amp; mixer");
  expect(html).toContain("<b>Jumlah:</b> Rp2.500.000");
  expect(html).toContain("<b>Untuk siapa:</b> Untuk saya sendiri");
  expect(html).toContain("<b>Rencana:</b> 🎤 pesan suara (9 detik)");
});

test("two open requests of one member stand alone, each with its own code and answers", async () => {
  const u = h.user(7230);
  await registeredMember(u.id);
  await u.send("/lapor");
  await fillSteps(u, "produksi");
  await u.press(t("request.send"));
  const first = codeIn(u.lastText());
  await u.send("/lapor");
  await u.press(t("request.opt.peralatan"));
  // "pastel" is not a registered product: the member takes "Produk lain" and types it.
  await u.press(t("request.other_product"));
  await u.send("pastel");
  await u.press(t("dialog.skip"));
  await u.send("Oven mati total.");
  await u.press(t("request.opt.terganggu_baru"));
  await u.press(t("request.send"));
  const second = codeIn(u.lastText());
  expect(second).not.toBe(first);
  const docs = await Request.find({ memberTelegramId: u.id }).sort({ createdAt: 1 }).lean();
  expect(docs.map((d) => d.code)).toEqual([first, second]);
  expect(docs.map((d) => d.status)).toEqual(["diterima", "diterima"]);
  expect(docs[1].answers).toEqual({ category: "peralatan", product: "pastel", description: "Oven mati total.", urgency: "terganggu_baru" });
  expect(docs[1].attachments).toEqual([]);
  expect(docs[0].sourceKey).not.toBe(docs[1].sourceKey);
});

test("an unregistered user who picks a request is registered first, then taken straight into it", async () => {
  const u = h.user(7240, { first_name: "Wayan" });
  await u.send("/kemasan");
  expect(u.texts().at(-2)).toContain("Bantuan kemasan");
  expect(u.lastText()).toBe(t("onboarding.consent"));
  await u.press("Setuju");
  await u.press("Pakai nama: Wayan");
  await u.contact("6281234567890");
  await u.send("UD Wayan Jaya");
  await u.press("Mengwi");
  // No sentra registered in Mengwi in this test: "Belum tergabung", then the wish.
  await u.press("Belum tergabung");
  await u.press("Nanti saja");
  await u.send("keripik bayam, gipang");
  expect(u.texts().at(-3)).toBe(t("onboarding.done", { name: "Wayan", businessName: "UD Wayan Jaya", kecamatan: "Mengwi", sentra: t("onboarding.no_sentra") }));
  expect(u.texts().at(-2)).toBe(t("request.intro", { type: t("labels.type.kemasan") }));
  // The products just registered are the buttons of the first question.
  expect(stripTags(u.lastText())).toBe(t("request.kemasan.product"));
  await u.press("gipang");
  await GOOD.kemasan.packaging(u, t);
  await GOOD.kemasan.wants(u, t);
  await GOOD.kemasan.quantity(u, t);
  await u.press(t("request.send"));
  const m = await Member.findOne({ telegramId: u.id }).lean();
  expect(m).toMatchObject({ name: "Wayan", registeredAt: expect.any(Date) });
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved).toMatchObject({ type: "kemasan", memberId: m!._id, sentraId: null, kecamatan: "Mengwi", answers: { product: "gipang" } });
});

test("declining consent on the way to a request stores nothing and ends the dialogue", async () => {
  const u = h.user(7250);
  const calls = await u.send("/pelatihan");
  expect(seen(calls)).toContain(t("onboarding.consent"));
  await u.press("Tidak setuju");
  expect(u.lastText()).toBe(t("onboarding.declined"));
  expect(await Member.countDocuments({ registeredAt: { $exists: true } })).toBe(0);
  expect(await Request.countDocuments()).toBe(0);
  expect(await ConversationState.countDocuments()).toBe(0);
});

test("a typed product and an option's detail are one line; a description keeps its line breaks", async () => {
  const u = h.user(7260);
  await registeredMember(u.id);
  await u.send("/lapor");
  await u.press(t("request.opt.lainnya"));
  await u.send("Listrik\nsering   padam");
  await u.press(t("request.other_product"));
  await u.send("pie\nsusu");
  await u.press(t("dialog.skip"));
  await u.send("Baris satu.\nBaris  dua.");
  await u.press(t("request.opt.terganggu_baru"));
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.answers).toMatchObject({ category_detail: "Listrik sering padam", product: "pie susu", description: "Baris satu.\nBaris dua." });
});
