import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, testConfig } from "./helpers/harness";
import { Sentra } from "../src/db/models/sentra";
import { Member } from "../src/db/models/member";
import { AuditLog } from "../src/db/models/audit-log";
import { PassThrough } from "node:stream";
import { createLogger } from "../src/logger";
import { Officer } from "../src/db/models/officer";
import { Confirmation } from "../src/db/models/confirmation";
import { Setting } from "../src/db/models/setting";
import { Holiday } from "../src/db/models/holiday";
import { seedSentras, listSentras } from "../src/domain/sentras";
import { registerMember } from "../src/domain/members";
import { escapeRegex, inOrder, templateRegex, textOf } from "./helpers/localeText";

useTestDatabase();

const ADMIN = 7001;
let h: Harness;
beforeEach(async () => {
  await clearDatabase();
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  h = new Harness(testConfig({ ADMIN_IDS: String(ADMIN) }));
});

test("an admin adds a sentra after confirming; it is audited", async () => {
  const admin = h.user(ADMIN);
  await admin.send("/sentra");
  expect(admin.lastText()).toMatch(/Sentra IKM Amerta Jaya/);
  await admin.press("Tambah sentra");
  expect(admin.lastText()).toContain(textOf("admin.ask_sentra_name"));
  await admin.sticker();
  expect(admin.texts().slice(-2)[0]).toBe(textOf("dialog.sticker_text"));
  await admin.send("x".repeat(101));
  expect(admin.texts().slice(-2)[0]).toBe(textOf("dialog.too_long", { count: 101, max: 100 }));
  await admin.send("Sentra Keripik Abiansemal");
  await admin.press("Abiansemal");
  expect(admin.lastText()).toContain(textOf("admin.confirm_add_sentra", { name: "Sentra Keripik Abiansemal", kecamatan: "Abiansemal" }));
  expect(await Sentra.countDocuments()).toBe(1);
  await admin.press("Ya, simpan");
  expect(admin.lastText()).toContain(textOf("admin.sentra_added", { name: "Sentra Keripik Abiansemal", kecamatan: "Abiansemal" }));
  const added = await Sentra.findOne({ name: "Sentra Keripik Abiansemal" }).lean();
  expect(added).toMatchObject({ kecamatan: "Abiansemal", slug: "sentra-keripik-abiansemal", active: true });
  const log = await AuditLog.findOne({ action: "sentra.add" }).lean();
  expect(log).toMatchObject({ by: ADMIN });
  expect(JSON.parse(log!.details)).toMatchObject({ name: "Sentra Keripik Abiansemal" });
});

test("renaming can be cancelled at the confirmation, then done", async () => {
  const admin = h.user(ADMIN);
  await admin.send("/sentra");
  await admin.press("Ganti nama");
  await admin.press("Sentra IKM Amerta Jaya");
  await admin.send("Sentra IKM Amerta Jaya Mengwi");
  await admin.press("Batal");
  expect(admin.lastText()).toContain(textOf("admin.nothing_changed"));
  expect(await Sentra.countDocuments({ name: "Sentra IKM Amerta Jaya" })).toBe(1);
  await admin.send("/sentra");
  await admin.press("Ganti nama");
  await admin.press("Sentra IKM Amerta Jaya");
  await admin.send("Sentra IKM Amerta Jaya Mengwi");
  await admin.press("Ya, simpan");
  expect(await Sentra.countDocuments({ name: "Sentra IKM Amerta Jaya Mengwi" })).toBe(1);
  expect(await AuditLog.countDocuments({ action: "sentra.rename" })).toBe(1);
});

test("anyone else gets the unknown-command answer and cannot press admin buttons", async () => {
  const stranger = h.user(7002);
  const calls = await stranger.send("/sentra");
  expect(calls.some((c) => c.method === "sendMessage" && String(c.payload.text) === textOf("unhandled.guest"))).toBe(true);
  const admin = h.user(ADMIN);
  await admin.send("/sentra");
  const button = admin.findButton("Tambah sentra")!;
  const forged = await stranger.press("adm:sentra:add", { raw: true, messageId: button.messageId });
  const answer = forged.find((c) => c.method === "answerCallbackQuery")!;
  expect(answer.payload).toMatchObject({ show_alert: true });
  expect(String(answer.payload.text)).toBe(textOf("admin.not_allowed"));
  await stranger.send("/ketua");
  expect(stranger.lastText()).toBe(textOf("unhandled.guest"));
  expect(await Sentra.countDocuments()).toBe(1);
});

test("every private admin command, with or without arguments, gives anyone else the unknown-command answer, is logged, and changes or stages nothing", async () => {
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on("data", (chunk: Buffer) => lines.push(...chunk.toString("utf8").split("\n").filter(Boolean)));
  const hh = new Harness(testConfig({ ADMIN_IDS: String(ADMIN) }), createLogger({ logLevel: "warn", nodeEnv: "test" }, stream));
  const [sentra] = await listSentras();
  await registerMember(
    7004,
    { name: "Bu Ketut", phone: "+6281111113", businessName: "Keripik", products: "keripik", kecamatan: "Mengwi", sentraId: sentra.id, sentraWish: null },
    new Date(),
  );
  await Officer.create({ telegramId: 7003, name: "Pak Made", addedBy: ADMIN });
  // A stranger, an officer (not an admin) and a member of the sentra.
  for (const id of [7002, 7003, 7004]) {
    const user = hh.user(id);
    for (const command of [
      "/sentra",
      "/sentra produk amerta-jaya Keripik, Rengginang",
      "/sentra qr amerta-jaya",
      "/kontak 0361 123456",
      "/kontak hapus",
      "/ketua",
      "/laporanbulanan mati",
      "/libur",
      "/libur tambah 2026-12-28 Cuti bersama",
    ]) {
      if (id === 7004 && command === "/ketua") continue; // a member's /ketua is their application to chair (membership.test.ts)
      const calls = await user.send(command);
      const sent = calls.filter((c) => c.method === "sendMessage" || c.method === "sendPhoto");
      expect(sent.length).toBe(1);
      expect([textOf("unhandled.guest"), textOf("unhandled.member")]).toContain(String(sent[0].payload.text));
    }
  }
  const refused = lines.map((l) => JSON.parse(l) as { msg: string; command?: string }).filter((l) => l.msg === "admin command refused");
  expect(refused.length).toBe(26);
  expect(new Set(refused.map((l) => l.command))).toEqual(new Set(["/sentra", "/kontak", "/ketua", "/laporanbulanan", "/libur"]));
  expect(await Confirmation.countDocuments()).toBe(0);
  expect(await Setting.countDocuments()).toBe(0);
  expect(await Holiday.countDocuments()).toBe(0);
  expect((await listSentras())[0].products).toEqual([]);
  expect(await AuditLog.countDocuments()).toBe(0);
});

test("an admin appoints a chairperson from the sentra's members; the member is told", async () => {
  const [sentra] = await listSentras();
  await registerMember(
    8001,
    { name: "Ketut Rai", phone: "+6281111111", businessName: "Gipang Rai", products: "gipang", kecamatan: "Mengwi", sentraId: sentra.id, sentraWish: null },
    new Date(),
  );
  await registerMember(
    8002,
    { name: "Made Sari", phone: "+6281111112", businessName: "Jamu Sari", products: "jamu", kecamatan: "Mengwi", sentraId: null, sentraWish: "join" },
    new Date(),
  );
  const admin = h.user(ADMIN);
  await admin.send("/ketua");
  await admin.press("Sentra IKM Amerta Jaya");
  expect(admin.findButton("Made Sari")).toBeUndefined(); // not in the sentra
  await admin.press("Ketut Rai (Gipang Rai)");
  await admin.press("Ya, simpan");
  expect(admin.lastText()).toContain(textOf("admin.chair_set", { name: "Ketut Rai", sentra: "Sentra IKM Amerta Jaya" }));
  expect((await Sentra.findById(sentra.id).lean())!.chairpersonTelegramId).toBe(8001);
  expect((await Member.findOne({ telegramId: 8001 }).lean())!.sentraVerifiedAt).toBeInstanceOf(Date);
  expect(h.telegram.textsTo(8001)).toHaveLength(0); // queued in the outbox first
  await h.drain();
  expect(h.telegram.textsTo(8001).at(-1)).toBe(textOf("admin.you_are_chair", { sentra: "Sentra IKM Amerta Jaya" }));
  expect(await AuditLog.countDocuments({ action: "chairperson.set", by: ADMIN })).toBe(1);
});

test("/ketua pages through a large sentra (10 a page) or filters by a typed part of a name; the 45th member can be appointed; stale and forged buttons are refused", async () => {
  const [sentra] = await listSentras();
  const label = (i: number) => `Anggota ${String(i).padStart(2, "0")} (Usaha ${i})`;
  for (let i = 1; i <= 45; i++) {
    await registerMember(
      9000 + i,
      {
        name: `Anggota ${String(i).padStart(2, "0")}`,
        phone: `+6281200${9000 + i}`,
        businessName: `Usaha ${i}`,
        products: "keripik",
        kecamatan: "Mengwi",
        sentraId: sentra.id,
        sentraWish: null,
      },
      new Date(),
    );
  }
  const admin = h.user(ADMIN);
  await admin.send("/ketua");
  await admin.press("Sentra IKM Amerta Jaya");
  let list = admin.findButton(label(1))!;
  const listText = () => String(h.telegram.messages.get(`${ADMIN}:${list.messageId}`)!.text);
  expect(listText()).toContain(textOf("admin.pick_chair_page", { page: 1, pages: 5, total: 45 }));
  expect(admin.findButton(label(10), list.messageId)).toBeDefined();
  expect(admin.findButton(label(11), list.messageId)).toBeUndefined();
  expect(admin.findButton("Sebelumnya", list.messageId)).toBeUndefined();

  // A press for the page already shown is only answered; a forged page or member button on the list
  // is refused (and the list asked again).
  const same = await admin.press("pg:0", { raw: true, messageId: list.messageId });
  expect(same.find((c) => c.method === "answerCallbackQuery")!.payload.text).toBeUndefined();
  expect(same.some((c) => c.method === "sendMessage")).toBe(false);
  for (const data of ["pg:7", "c:10", "c:99", "c:9046"]) {
    const forged = await admin.press(data, { raw: true, messageId: admin.findButton(label(1))!.messageId });
    expect(forged.find((c) => c.method === "answerCallbackQuery")!.payload.text).toBe(textOf("dialog.stale_button"));
  }
  const first = list;
  list = admin.findButton(label(1))!;
  expect(list.messageId).not.toBe(first.messageId);
  // Berikutnya / Sebelumnya edit the list in place.
  for (let page = 2; page <= 5; page++) await admin.press("Berikutnya", { messageId: list.messageId });
  expect(listText()).toContain(textOf("admin.pick_chair_page", { page: 5, pages: 5, total: 45 }));
  expect(admin.findButton("Berikutnya", list.messageId)).toBeUndefined();
  expect(admin.findButton(label(41), list.messageId)).toBeDefined();
  await admin.press("Sebelumnya", { messageId: list.messageId });
  expect(listText()).toContain(textOf("admin.pick_chair_page", { page: 4, pages: 5, total: 45 }));
  expect(admin.findButton(label(31), list.messageId)).toBeDefined();
  // An older list's page button is stale.
  const older = await admin.press("pg:1", { raw: true, messageId: first.messageId });
  expect(older.find((c) => c.method === "answerCallbackQuery")!.payload.text).toBe(textOf("dialog.stale_button"));
  list = admin.findButton(label(31))!;

  // Typing part of a name shows only the matches, in a new list; the old list's buttons are stale.
  await admin.send("zzz");
  expect(admin.texts().at(-2)).toContain(textOf("admin.no_member_match", { sentra: "Sentra IKM Amerta Jaya", search: "zzz" }));
  await admin.send("a.*(["); // taken literally, not as a pattern
  expect(admin.texts().at(-2)).toContain(textOf("admin.no_member_match", { sentra: "Sentra IKM Amerta Jaya", search: "a.*([" }));
  await admin.send("anggota 4");
  const filtered = admin.findButton(label(45))!;
  expect(filtered.messageId).not.toBe(list.messageId);
  expect(admin.lastText()).toMatch(
    inOrder(textOf("admin.pick_chair_filtered", { sentra: "Sentra IKM Amerta Jaya", search: "anggota 4" }), textOf("admin.pick_chair_page", { page: 1, pages: 1, total: 6 })),
  );
  const old = await admin.press("c:0", { raw: true, messageId: list.messageId });
  expect(old.find((c) => c.method === "answerCallbackQuery")!.payload.text).toBe(textOf("dialog.stale_button"));
  const again = admin.findButton(label(45))!;
  expect(again.messageId).not.toBe(filtered.messageId); // the filtered list asked again
  // "Tampilkan semua anggota" goes back to the whole list, in place; a business name is searched too.
  await admin.press("Tampilkan semua anggota", { messageId: again.messageId });
  expect(String(h.telegram.messages.get(`${ADMIN}:${again.messageId}`)!.text)).toMatch(
    new RegExp(`^${escapeRegex(`${textOf("admin.pick_chair", { sentra: "Sentra IKM Amerta Jaya" })}\n${textOf("admin.pick_chair_page", { page: 1, pages: 5, total: 45 })}`)}`),
  );
  await admin.send("USAHA 45");
  expect(admin.lastText()).toMatch(templateRegex("admin.pick_chair_page", { vars: { total: 1 } }));
  await admin.press(label(45));
  expect(admin.lastText()).toContain(textOf("admin.confirm_chair", { name: "Anggota 45", sentra: "Sentra IKM Amerta Jaya" }));
  await admin.press("Ya, simpan");
  expect(admin.lastText()).toContain(textOf("admin.chair_set", { name: "Anggota 45", sentra: "Sentra IKM Amerta Jaya" }));
  expect((await Sentra.findById(sentra.id).lean())!.chairpersonTelegramId).toBe(9045);
});

test("/ketua: the 45th member by paging to the last page", async () => {
  const [sentra] = await listSentras();
  for (let i = 1; i <= 45; i++) {
    await registerMember(
      9000 + i,
      {
        name: `Anggota ${String(i).padStart(2, "0")}`,
        phone: `+6281200${9000 + i}`,
        businessName: "",
        products: "keripik",
        kecamatan: "Mengwi",
        sentraId: sentra.id,
        sentraWish: null,
      },
      new Date(),
    );
  }
  const admin = h.user(ADMIN);
  await admin.send("/ketua");
  await admin.press("Sentra IKM Amerta Jaya");
  for (let page = 2; page <= 5; page++) await admin.press("Berikutnya");
  await admin.press("Anggota 45");
  await admin.press("Ya, simpan");
  expect((await Sentra.findById(sentra.id).lean())!.chairpersonTelegramId).toBe(9045);
});

test("/ketua: after a page turn, a double tap, a sticker or a button of the page before shows the page now shown, and a member button picks the member it names", async () => {
  const [sentra] = await listSentras();
  const label = (i: number) => `Anggota ${String(i).padStart(2, "0")} (Usaha ${i})`;
  for (let i = 1; i <= 45; i++) {
    await registerMember(
      9000 + i,
      {
        name: `Anggota ${String(i).padStart(2, "0")}`,
        phone: `+6281200${9000 + i}`,
        businessName: `Usaha ${i}`,
        products: "keripik",
        kecamatan: "Mengwi",
        sentraId: sentra.id,
        sentraWish: null,
      },
      new Date(),
    );
  }
  const admin = h.user(ADMIN);
  const shownText = (messageId: number) => String(h.telegram.messages.get(`${ADMIN}:${messageId}`)!.text);
  const memberButtons = (messageId: number) =>
    (h.telegram.messages.get(`${ADMIN}:${messageId}`)!.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard
      .flat()
      .filter((b) => b.callback_data.startsWith("c:"));
  const latestList = () => admin.findButton(/^Anggota /)!.messageId;
  const answerOf = (calls: { method: string; payload: Record<string, unknown> }[]) => calls.find((c) => c.method === "answerCallbackQuery")!.payload;
  await admin.send("/ketua");
  await admin.press("Sentra IKM Amerta Jaya");
  const list = latestList();
  const next = admin.findButton("Berikutnya", list)!;
  const third = admin.findButton(label(3), list)!; // as the admin's screen still shows it during the page turn

  await admin.press("Berikutnya", { messageId: list });
  expect(shownText(list)).toContain(textOf("admin.pick_chair_page", { page: 2, pages: 5, total: 45 }));
  // A double tap on Berikutnya (the old keyboard, not yet redrawn): only answered, the list stays.
  const twice = await admin.press(next.data, { raw: true, messageId: list });
  expect(answerOf(twice).text).toBeUndefined();
  expect(twice.some((c) => c.method === "sendMessage")).toBe(false);
  expect(shownText(list)).toContain(textOf("admin.pick_chair_page", { page: 2, pages: 5, total: 45 }));
  // Member 3 of page 1 pressed on the not yet redrawn keyboard: not on the page shown, so refused,
  // and the list asked again shows page 2 with page 2's buttons.
  const early = await admin.press(third.data, { raw: true, messageId: list });
  expect(String(answerOf(early).text)).toBe(textOf("dialog.stale_button"));
  const resent = latestList();
  expect(resent).not.toBe(list);
  expect(shownText(resent)).toContain(textOf("admin.pick_chair_page", { page: 2, pages: 5, total: 45 }));
  expect(memberButtons(resent).map((b) => b.text)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20].map(label));
  // Berikutnya again, then a sticker: the list asked again shows page 3, and its third button picks
  // the member it names.
  await admin.press("Berikutnya", { messageId: resent });
  await admin.sticker();
  const afterSticker = latestList();
  expect(afterSticker).not.toBe(resent);
  expect(shownText(afterSticker)).toContain(textOf("admin.pick_chair_page", { page: 3, pages: 5, total: 45 }));
  // The list before is no longer the one shown: its buttons are stale.
  const stale = await admin.press(memberButtons(resent)[0].callback_data, { raw: true, messageId: resent });
  expect(String(answerOf(stale).text)).toBe(textOf("dialog.stale_button"));
  const shown = latestList();
  expect(shownText(shown)).toContain(textOf("admin.pick_chair_page", { page: 3, pages: 5, total: 45 }));
  const pressed = memberButtons(shown)[2];
  expect(pressed.text).toBe(label(23));
  await admin.press(pressed.callback_data, { raw: true, messageId: shown });
  expect(admin.lastText()).toContain(textOf("admin.confirm_chair", { name: "Anggota 23", sentra: "Sentra IKM Amerta Jaya" }));
  await admin.press("Batal");

  // "Tampilkan semua anggota" tapped twice, then a sticker: the whole list, and its buttons mean it.
  await admin.send("/ketua");
  await admin.press("Sentra IKM Amerta Jaya");
  await admin.send("anggota 4");
  const filtered = latestList();
  const all = admin.findButton("Tampilkan semua anggota", filtered)!;
  await admin.press("Tampilkan semua anggota", { messageId: filtered });
  const again = await admin.press(all.data, { raw: true, messageId: filtered });
  expect(answerOf(again).text).toBeUndefined();
  expect(again.some((c) => c.method === "sendMessage")).toBe(false);
  await admin.sticker();
  const whole = latestList();
  expect(shownText(whole)).toMatch(
    new RegExp(`^${escapeRegex(`${textOf("admin.pick_chair", { sentra: "Sentra IKM Amerta Jaya" })}\n${textOf("admin.pick_chair_page", { page: 1, pages: 5, total: 45 })}`)}`),
  );
  const button = memberButtons(whole)[2];
  expect(button.text).toBe(label(3));
  await admin.press(button.callback_data, { raw: true, messageId: whole });
  expect(admin.lastText()).toContain(textOf("admin.confirm_chair", { name: "Anggota 03", sentra: "Sentra IKM Amerta Jaya" }));
  await admin.press("Ya, simpan");
  expect((await Sentra.findById(sentra.id).lean())!.chairpersonTelegramId).toBe(9003);
});
