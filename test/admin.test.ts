import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, testConfig } from "./helpers/harness";
import { Sentra } from "../src/db/models/sentra";
import { Member } from "../src/db/models/member";
import { AuditLog } from "../src/db/models/audit-log";
import { seedSentras, listSentras } from "../src/domain/sentras";
import { registerMember } from "../src/domain/members";

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
  expect(admin.lastText()).toMatch(/nama sentra/);
  await admin.sticker();
  expect(admin.texts().slice(-2)[0]).toMatch(/stiker/);
  await admin.send("x".repeat(101));
  expect(admin.texts().slice(-2)[0]).toMatch(/terlalu panjang/);
  await admin.send("Sentra Keripik Abiansemal");
  await admin.press("Abiansemal");
  expect(admin.lastText()).toMatch(/Tambahkan sentra <b>Sentra Keripik Abiansemal<\/b>/);
  expect(await Sentra.countDocuments()).toBe(1);
  await admin.press("Ya, simpan");
  expect(admin.lastText()).toMatch(/sudah ditambahkan/);
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
  expect(admin.lastText()).toMatch(/tidak ada yang diubah/);
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
  expect(calls.some((c) => c.method === "sendMessage" && /belum mengerti/.test(String(c.payload.text)))).toBe(true);
  const admin = h.user(ADMIN);
  await admin.send("/sentra");
  const button = admin.findButton("Tambah sentra")!;
  const forged = await stranger.press("adm:sentra:add", { raw: true, messageId: button.messageId });
  const answer = forged.find((c) => c.method === "answerCallbackQuery")!;
  expect(answer.payload).toMatchObject({ show_alert: true });
  expect(String(answer.payload.text)).toMatch(/hanya untuk admin/);
  await stranger.send("/ketua");
  expect(stranger.lastText()).toMatch(/belum mengerti/);
  expect(await Sentra.countDocuments()).toBe(1);
});

test("an admin appoints a chairperson from the sentra's members; the member is told", async () => {
  const [sentra] = await listSentras();
  await registerMember(8001, { name: "Ketut Rai", phone: "+6281111111", businessName: "Gipang Rai", products: "gipang", kecamatan: "Mengwi", sentraId: sentra.id, sentraWish: null }, new Date());
  await registerMember(8002, { name: "Made Sari", phone: "+6281111112", businessName: "Jamu Sari", products: "jamu", kecamatan: "Mengwi", sentraId: null, sentraWish: "join" }, new Date());
  const admin = h.user(ADMIN);
  await admin.send("/ketua");
  await admin.press("Sentra IKM Amerta Jaya");
  expect(admin.findButton("Made Sari")).toBeUndefined(); // not in the sentra
  await admin.press("Ketut Rai (Gipang Rai)");
  await admin.press("Ya, simpan");
  expect(admin.lastText()).toMatch(/sekarang ketua/);
  expect((await Sentra.findById(sentra.id).lean())!.chairpersonTelegramId).toBe(8001);
  expect((await Member.findOne({ telegramId: 8001 }).lean())!.sentraVerifiedAt).toBeInstanceOf(Date);
  expect(h.telegram.textsTo(8001)).toHaveLength(0); // queued in the outbox first
  await h.drain();
  expect(h.telegram.textsTo(8001).at(-1)).toMatch(/ditetapkan sebagai ketua/);
  expect(await AuditLog.countDocuments({ action: "chairperson.set", by: ADMIN })).toBe(1);
});
