import { parse } from "csv-parse/sync";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, testConfig } from "./helpers/harness";
import { seedSentras, listSentras } from "../src/domain/sentras";
import { registerMember } from "../src/domain/members";
import { createRequest } from "../src/domain/requests";
import { witaMonth } from "../src/lib/time";

useTestDatabase();

const ADMIN = 7200;
const MEMBER = 7201;
let h: Harness;

beforeAll(async () => {
  await clearDatabase();
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  const [s] = await listSentras();
  const m = await registerMember(MEMBER, { name: "Wayan", phone: "+6281299990000", businessName: "Kue Wayan", products: "kue", kecamatan: "Mengwi", sentraId: s.id, sentraWish: null }, new Date());
  for (let i = 0; i < 3; i++) {
    await createRequest({ type: i ? "modal" : "produksi", member: { id: m.id, telegramId: MEMBER, sentraId: s.id, kecamatan: "Mengwi" }, answers: { need: `n${i}` }, attachments: [], sourceKey: `rep-${i}`, now: new Date() });
  }
});
beforeEach(() => {
  h = new Harness(testConfig({ ADMIN_IDS: String(ADMIN) }));
});

test("/rekap for this month (default) counts by type, sentra and kecamatan", async () => {
  const admin = h.user(ADMIN);
  await admin.send("/rekap");
  const text = admin.lastText();
  expect(text).toContain(`Rekap ${witaMonth(new Date())}`);
  expect(text).toMatch(/3 permintaan/);
  expect(text).toMatch(/Bantuan modal<\/b>: 2/);
  expect(text).toMatch(/Sentra IKM Amerta Jaya: 3/);
  expect(text).toMatch(/Mengwi: 3/);
});

test("bad months are explained; members get the unknown-command answer", async () => {
  const admin = h.user(ADMIN);
  await admin.send("/rekap 2026-13");
  expect(admin.lastText()).toMatch(/Bulan tidak dikenali/);
  await admin.send("/rekap 2999-01");
  expect(admin.lastText()).toMatch(/belum tiba/);
  await admin.send("/ekspor nov");
  expect(admin.lastText()).toMatch(/Bulan tidak dikenali/);
  const member = h.user(MEMBER);
  for (const cmd of ["/rekap", "/ekspor", "/antrian", "/tugasku"]) {
    await member.send(cmd);
    expect(member.lastText()).toMatch(/belum mengerti/);
  }
  expect(h.telegram.callsOf("sendDocument")).toHaveLength(0);
});

test("/ekspor sends the month as a CSV document; an admin's includes phones", async () => {
  const admin = h.user(ADMIN);
  await admin.send("/ekspor");
  const doc = h.telegram.callsOf("sendDocument", ADMIN)[0];
  expect(doc.files!.document.filename).toBe(`aspirasi-ikm-${witaMonth(new Date())}.csv`);
  const rows = parse(doc.files!.document.content.toString("utf8").replace(/^\ufeff/, ""), { columns: true }) as Record<string, string>[];
  expect(rows).toHaveLength(3);
  expect(rows.every((r) => r.telepon === "+6281299990000")).toBe(true);
  expect(String(doc.payload.caption)).toMatch(/3 permintaan/);
});

test("/antrian lists the unclaimed requests oldest first with their waiting time", async () => {
  const admin = h.user(ADMIN);
  await admin.send("/antrian");
  expect(admin.lastText()).toMatch(/Antrian<\/b>: 3/);
  expect(admin.lastText()).toMatch(/menunggu sejak/);
  await admin.send("/tugasku");
  expect(admin.lastText()).toMatch(/Tidak ada tugas/);
});
