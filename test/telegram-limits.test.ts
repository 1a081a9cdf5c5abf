/**
 * Hostile and long text within Telegram's limits: every text the bot sends or edits is valid HTML
 * and at most 4096 characters as Telegram counts them (the fake Bot API refuses anything else with
 * a 400, as Telegram does: test/helpers/telegram-html.ts), long answers are split into several
 * messages, never cut inside a tag or an entity, and the command's answer is always there.
 */
import { clearDatabase, useTestDatabase } from "./helpers/db";
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import { officerWorld, officerHarness, seedWorld, newMember, newRequest, messageMember, cardMessageId, lastBotMessage, ADMIN, GROUP } from "./helpers/officers";
import { testMember, testRequest } from "./helpers/fixtures";
import { textOf } from "./helpers/localeText";
import { Harness, silentLogger, type ApiCall } from "./helpers/harness";
import { callTextProblem, parseTelegramHtml, shownText } from "./helpers/telegram-html";
import { Request } from "../src/db/models/request";
import { Holiday } from "../src/db/models/holiday";
import { setChairperson } from "../src/domain/chairpersons";
import { seedSentras, listSentras, setSentraProducts, SENTRA_PRODUCTS_MAX, SENTRA_PRODUCT_MAX } from "../src/domain/sentras";
import { recomputeOpenDeadlines, slaJobs } from "../src/domain/sla-jobs";
import { createScheduler } from "../src/domain/scheduler";
import { listHolidays, loadCalendar } from "../src/domain/holidays";
import { linesToMessages, splitHtml, htmlToPlain, visibleLength } from "../src/lib/text";

useTestDatabase();

const TEXT_METHODS = new Set(["sendMessage", "editMessageText"]);

/** Nothing was refused for its text, and every text call (sent or not) is one Telegram takes. */
function expectAccepted(h: Harness): void {
  expect(h.telegram.refusedTexts.map((r) => `${r.method}: ${r.problem}`)).toEqual([]);
  for (const c of h.telegram.calls) expect(callTextProblem(c.method, c.payload)).toBeNull();
}

/** What a chat was shown (texts and edits, after parsing), from the calls `calls` (default: all). */
function shown(calls: ApiCall[], chatId: number): string[] {
  return calls.filter((c) => !c.failed && TEXT_METHODS.has(c.method) && Number(c.payload.chat_id) === chatId).map((c) => shownText(c.payload));
}

describe("the strict checker and the fake Bot API refuse what Telegram refuses", () => {
  test.each([
    ["a bare &", "a & b"],
    ["a bare <", "1 < 2"],
    ["an unknown tag", "<p>x</p>"],
    ["an unclosed tag", "<b>x"],
    ["crossed tags", "<b><i>x</b></i>"],
    ["an unsupported entity", "a&nbsp;b"],
    ["a span without the spoiler class", "<span>x</span>"],
  ])("%s", (_what, html) => {
    expect(parseTelegramHtml(html).ok).toBe(false);
  });

  test("what escapeHtml and the locales write is accepted, counted after parsing", () => {
    const parsed = parseTelegramHtml(`<b>&amp;&lt;&gt;&quot;&#39;&#x1F600;</b> <a href="tg://user?id=1">x</a> <code>y</code> <i><u>z</u></i>`);
    expect(parsed).toEqual({ ok: true, text: `&<>"'😀 x y z` });
    expect(callTextProblem("sendMessage", { text: "&amp;".repeat(4096), parse_mode: "HTML" })).toBeNull();
    expect(callTextProblem("sendMessage", { text: "&amp;".repeat(4097), parse_mode: "HTML" })).toBe("message is too long");
    expect(callTextProblem("sendPhoto", { caption: "x".repeat(1025) })).toBe("message caption is too long");
    expect(callTextProblem("sendMessage", { text: " ", parse_mode: "HTML" })).toBe("message text is empty");
  });

  test("the fake answers 400 like Telegram, and records it", async () => {
    const h = new Harness();
    await expect(h.bot.api.sendMessage(5, "Tom & Jerry", { parse_mode: "HTML" })).rejects.toMatchObject({
      error_code: 400,
      description: expect.stringContaining("can't parse entities"),
    });
    expect(h.telegram.refusedTexts).toHaveLength(1);
    expect(h.telegram.callsOf("sendMessage")).toHaveLength(0);
  });
});

test("splitting HTML: every piece whole and within the limit, nothing lost, breaks at line ends", () => {
  const lines = Array.from({ length: 60 }, (_, i) => `• <b>${i}</b> <i>${"&amp;&lt;".repeat(60)}</i> end-${i}`);
  const messages = linesToMessages("<b>Head</b>", lines, 1000);
  expect(messages.length).toBeGreaterThan(5);
  for (const m of messages) {
    expect(parseTelegramHtml(m).ok).toBe(true);
    expect(visibleLength(m)).toBeLessThanOrEqual(1000);
  }
  expect(messages.map(htmlToPlain).join("\n")).toBe(htmlToPlain(["<b>Head</b>", ...lines].join("\n")));
  // One line longer than a message: split between characters, the open tags closed and opened again.
  const long = `<i>${"x&amp;".repeat(3000)}</i>`;
  const pieces = splitHtml(long, 4096);
  expect(pieces).toHaveLength(2);
  for (const p of pieces) expect(parseTelegramHtml(p)).toMatchObject({ ok: true });
  expect(pieces.map(htmlToPlain).join("")).toBe(htmlToPlain(long));
});

describe("/sentra with hostile slugs, names and long product lists", () => {
  let h: Harness;
  const admin = () => h.user(ADMIN);
  beforeEach(async () => {
    await clearDatabase();
    await seedWorld();
    h = officerHarness();
  });

  test("/sentra qr with a hostile or huge slug is answered, escaped, within the limit", async () => {
    for (const slug of [`<b>&x"'</b>`, "&".repeat(5000), "<".repeat(3000)]) {
      const calls = await admin().send(`/sentra qr ${slug}`);
      const answer = shown(calls, ADMIN);
      expect(answer).toHaveLength(1);
      expect(answer[0]).toContain(slug.slice(0, 40));
      expect(answer[0]).toContain("/sentra");
      const produk = shown(await admin().send(`/sentra produk ${slug} a, b`), ADMIN);
      expect(produk).toEqual(answer);
    }
    // A sentra whose name is hostile: its QR code's caption is whole and within 1024.
    await seedSentras([{ slug: "sentra-aneh", name: `<b>${"&<>".repeat(32)}`, kecamatan: "Kuta" }]);
    const calls = await admin().send("/sentra qr sentra-aneh");
    const photo = calls.find((c) => c.method === "sendPhoto" && !c.failed);
    expect(photo).toBeDefined();
    expect(shownText(photo!.payload)).toContain(`<b>${"&<>".repeat(32)}`);
    expectAccepted(h);
  });

  test("/sentra produk with hostile products; /sentra with 40 sentras of long lists is split, nothing lost", async () => {
    const products = Array.from({ length: SENTRA_PRODUCTS_MAX }, (_, i) => `${i}<b>&${"&<>".repeat(12)}`.slice(0, SENTRA_PRODUCT_MAX));
    let calls = await admin().send(`/sentra produk amerta-jaya ${products.join(", ")}`);
    expect(shown(calls, ADMIN)[0]).toContain(products[SENTRA_PRODUCTS_MAX - 1]);
    calls = await admin().send(`/sentra produk amerta-jaya ${[...products, "satu lagi"].join(", ")}`);
    expect(shown(calls, ADMIN)).toEqual([htmlToPlain(textOf("admin.sentra_products_invalid", { max: SENTRA_PRODUCTS_MAX, length: SENTRA_PRODUCT_MAX }))]);

    await seedSentras(Array.from({ length: 40 }, (_, i) => ({ slug: `sentra-${i}`, name: `${i} ${"&<>".repeat(30)}`, kecamatan: "Kuta" as const })));
    for (let i = 0; i < 40; i++) await setSentraProducts(`sentra-${i}`, products);
    calls = await admin().send("/sentra");
    const sent = calls.filter((c) => c.method === "sendMessage" && !c.failed);
    expect(sent.length).toBeGreaterThan(1);
    const all = sent.map((c) => shownText(c.payload)).join("\n");
    for (const s of await listSentras()) expect(all).toContain(`/sentra qr ${s.slug}`);
    // The buttons come with the last message.
    expect(sent.at(-1)!.payload.reply_markup).toBeDefined();
    expectAccepted(h);
  });
});

/** A note of about 900 characters, 600 of them needing escapes, ending in a marker. */
const hostileNote = (i: number) => `${"&<>".repeat(300)} end-${i}`;

test("a long conversation on one request: the member's, the chairperson's and staff's /status KODE show all of it", async () => {
  const { h, made, sentraId } = await officerWorld("kemasan");
  const member = await newMember(5101, { name: "Ni & <Luh>", sentraId });
  const chair = await newMember(5102, { name: "Ketua", sentraId });
  await setChairperson(sentraId, chair.telegramId, ADMIN, new Date());
  const r = await newRequest(member, "kemasan");
  await h.deliver();
  // One real exchange: a message to the member, the member's answer, an internal note.
  await messageMember(h, made, await cardMessageId(r.id), hostileNote(100));
  await h.deliver();
  await h.user(5101).send(hostileNote(101), { replyTo: lastBotMessage(h, 5101, /end-100/).message_id });
  await made.send(hostileNote(102), { replyTo: await cardMessageId(r.id) });
  await h.deliver();
  // And 40 more entries like them.
  const kinds = ["reply", "answer", "note"] as const;
  const entries = Array.from({ length: 40 }, (_, i) => ({
    at: new Date(Date.now() + i * 60_000),
    by: kinds[i % 3] === "answer" ? 5101 : 9101,
    role: kinds[i % 3] === "answer" ? "member" : "officer",
    kind: kinds[i % 3],
    note: hostileNote(i),
  }));
  await Request.collection.updateOne({ code: r.code }, { $push: { timeline: { $each: entries } } } as never);
  const saved = (await Request.findOne({ code: r.code }).lean())!;
  const visibleToMember = saved.timeline.filter((e) => e.note && e.kind !== "note").map((e) => e.note!.slice(-8));
  const all = saved.timeline.filter((e) => e.note).map((e) => e.note!.slice(-8));
  expect(all.length).toBeGreaterThan(40);

  const ask = async (chatId: number, from: number, seesNotes: boolean) => {
    const u = chatId === GROUP ? h.inGroup(GROUP, from) : h.user(from);
    const answer = shown(await u.send(`/status ${r.code}`), chatId);
    expect(answer.length).toBeGreaterThan(5);
    const text = answer.join("\n");
    for (const marker of seesNotes ? all : visibleToMember) expect(text).toContain(marker);
    if (!seesNotes) expect(text).not.toContain("end-2\n"); // entry 2 is an internal note
    expect(answer[0]).toContain(r.code);
  };
  await ask(5101, 5101, false);
  await ask(5102, 5102, false);
  await ask(ADMIN, ADMIN, true);
  await ask(GROUP, 9101, true);
  expectAccepted(h);
});

test("an answer of 1,000 & characters reaches the group, the card and every /status whole", async () => {
  const { h, made, sentraId } = await officerWorld("kemasan");
  const member = await newMember(5101, { sentraId });
  const r = await newRequest(member, "kemasan");
  await h.deliver();
  await messageMember(h, made, await cardMessageId(r.id), "Berapa banyak?");
  await h.deliver();
  const amps = "&".repeat(1000);
  const before = h.telegram.calls.length;
  await h.user(5101).send(amps, { replyTo: lastBotMessage(h, 5101, /Berapa banyak/).message_id });
  await h.deliver();
  expect((await Request.findOne({ code: r.code }).lean())!.timeline.at(-1)).toMatchObject({ kind: "answer", note: amps });
  expect(shown(h.telegram.calls.slice(before), GROUP).some((x) => x.includes(amps))).toBe(true);
  for (const [chatId, from] of [
    [5101, 5101],
    [ADMIN, ADMIN],
    [GROUP, 9101],
  ]) {
    const u = chatId === GROUP ? h.inGroup(GROUP, from) : h.user(from);
    expect(shown(await u.send(`/status ${r.code}`), chatId).join("\n")).toContain(amps);
  }
  expectAccepted(h);
});

test("a chairperson's /status with & in names and businesses and long closing notes: one whole message, pages too", async () => {
  await clearDatabase();
  await seedSentras([{ slug: "satu", name: "Sentra & <Satu>", kecamatan: "Mengwi" }]);
  const [s1] = await listSentras();
  const CHAIR = 7103;
  await testMember(CHAIR, s1.id, { name: "Ketua & Co" });
  await setChairperson(s1.id, CHAIR, ADMIN, new Date());
  const hostile = (n: number) => "&<>".repeat(Math.ceil(n / 3)).slice(0, n);
  for (let i = 0; i < 12; i++) {
    const m = await testMember(7200 + i, s1.id, { name: hostile(100), businessName: hostile(100) });
    const r = await testRequest(m, "kemasan", new Date(Date.UTC(2026, 10, 1 + i, 2)));
    if (i >= 6) {
      const to = i % 2 ? "selesai" : "ditolak";
      await Request.collection.updateOne({ code: r.code }, {
        $set: { status: to, closedAt: new Date(Date.UTC(2026, 10, 20 + i)) },
        $push: { timeline: { at: new Date(Date.UTC(2026, 10, 20 + i)), by: 9101, role: "officer", kind: "status", from: "diterima", to, note: "&".repeat(1000) } },
      } as never);
    }
  }
  const h = new Harness();
  const chair = h.user(CHAIR);
  const calls = await chair.send("/status");
  const sent = calls.filter((c) => c.method === "sendMessage" && !c.failed);
  expect(sent).toHaveLength(1);
  const text = shownText(sent[0].payload);
  expect(text).toContain(htmlToPlain(textOf("status.sentra_title", { sentra: "Sentra & <Satu>" })));
  expect(text).toContain(htmlToPlain(textOf("status.sentra_closed")));
  expect(text).toContain(hostile(100));
  expect(text).toContain("&&&&&&&&");
  // The next page (an edit of the same message) and a month's view keep within the limit too.
  await chair.press(textOf("status.next"));
  expect(h.telegram.callsOf("editMessageText", CHAIR)).toHaveLength(1);
  await chair.send("/status 2026-11");
  expect(shown(h.telegram.calls, CHAIR).at(-1)).toContain(htmlToPlain(textOf("status.sentra_title_month", { sentra: "Sentra & <Satu>", month: "2026-11" })));
  expectAccepted(h);
});

describe("malformed documents in holidays", () => {
  const wita = (local: string) => new Date(`${local}+08:00`);
  const malformed = [
    { date: 20261208, name: "a number", active: true, kind: "nasional", source: "x" },
    { date: "2026-13-45", name: "no such day", active: true, kind: "nasional", source: "x" },
    { date: "2026-12-09", active: true, kind: "nasional", source: "x" },
    { date: "2026-12-10", name: `<b>${"&".repeat(5000)}`, active: true, kind: "weird", source: "x" },
    { date: "2026-12-11", name: { nested: true }, active: true },
    { name: "no date at all", active: true },
    { date: null, name: "null date", active: true },
    { date: "2026-12-14T00:00:00Z", name: "a timestamp", active: true },
  ];

  test("/libur lists the good days, readably, and the jobs still run with deadlines computed", async () => {
    const { h, sentraId } = await officerWorld("kemasan", { at: wita("2026-12-07T09:00:00") });
    await Holiday.create({ date: "2026-12-24", name: "Cuti & <bersama>", source: "SKB", kind: "cuti_bersama" });
    await Holiday.collection.insertMany(malformed.map((d) => ({ ...d })) as never);
    // The calendar holds the real days only; names are text, at most 200 characters.
    const calendar = await loadCalendar();
    expect([...calendar.holidays].every((d) => typeof d === "string" && /^\d{4}-\d{2}-\d{2}$/.test(d))).toBe(true);
    expect(calendar.holidays.has("2026-12-24")).toBe(true);
    expect(calendar.holidays.has("2026-12-10")).toBe(true);
    const days = await listHolidays(2026);
    expect(days.every((d) => typeof d.name === "string" && d.name.length <= 200)).toBe(true);

    const calls = await h.user(ADMIN).send("/libur 2026");
    const answer = shown(calls, ADMIN).join("\n");
    expect(answer).toContain("Cuti & <bersama>");
    expect(answer).toContain(htmlToPlain(textOf("sla.libur_usage")).split("\n")[0]);

    const member = await newMember(5101, { sentraId });
    const r = await newRequest(member, "kemasan", { now: h.clock.now() });
    await h.deliver();
    expect((await Request.findById(r.id).lean())!.sla?.dueAt).toBeInstanceOf(Date);
    await recomputeOpenDeadlines({ now: h.clock.now(), sla: SLA_DEFAULTS });
    expect((await Request.findById(r.id).lean())!.sla?.dueAt).toBeInstanceOf(Date);
    h.clock.set(wita("2026-12-15T08:00:05"));
    const s = createScheduler(slaJobs(h.config), { clock: h.clock.now, logger: silentLogger });
    expect(await s.tick()).toEqual({ sla_digest: "ran", sla_escalation: "ran", sla_member_reminder: "ran" });
    await h.deliver();
    expectAccepted(h);
  });
});
