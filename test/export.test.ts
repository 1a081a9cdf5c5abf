import { parse } from "csv-parse/sync";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { seedSentras, listSentras } from "../src/domain/sentras";
import { registerMember } from "../src/domain/members";
import { createRequest } from "../src/domain/requests";
import { exportMonthCsv } from "../src/domain/export";
import { Request } from "../src/db/models/request";

useTestDatabase();

beforeAll(async () => {
  await clearDatabase();
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  const [s] = await listSentras();
  const m = await registerMember(
    6100,
    { name: 'Ni Made "Dewi", S.E.', phone: "+6281234500001", businessName: "Keripik; Dewi\nBali", products: "keripik", kecamatan: "Mengwi", sentraId: s.id, sentraWish: null },
    new Date(),
  );
  const mk = (i: number, at: string, answers: Record<string, string | string[] | number | boolean>) =>
    createRequest({
      type: i % 2 ? "kemasan" : "produksi",
      member: { id: m.id, telegramId: m.telegramId, sentraId: m.sentraId, kecamatan: "Mengwi" },
      answers,
      attachments: i === 0 ? [{ kind: "photo", field: "photos", fileId: "f", fileUniqueId: "u" }] : [],
      sourceKey: `ex-${i}`,
      now: new Date(at),
    });
  const r0 = await mk(0, "2026-11-30T15:30:00Z", { category: "bahan_baku", stopped: true, description: 'Minyak, mahal\n"sekali"' });
  const r1 = await mk(1, "2026-11-02T01:00:00Z", { wants: ["label", "bahan"], quantity: 500 });
  const r2 = await mk(2, "2026-11-30T16:10:00Z", { category: "peralatan" }); // December in WITA
  for (const [r, at] of [
    [r0, "2026-11-30T15:30:00Z"],
    [r1, "2026-11-02T01:00:00Z"],
    [r2, "2026-11-30T16:10:00Z"],
  ] as const) {
    await Request.collection.updateOne({ code: r.code }, { $set: { createdAt: new Date(at), assigneeTelegramId: r === r1 ? 4242 : null } });
  }
  // A bookkeeping write (as a card edit makes) moves updatedAt to now.
  await Request.updateOne({ code: r1.code }, { $set: { "card.hash": "x" } });
});

test("the month's CSV parses back field by field; phone only for admins", async () => {
  const { csv, rows } = await exportMonthCsv({
    month: "2026-11",
    includePhone: false,
    officerNames: async (ids) => new Map(ids.filter((id) => id === 4242).map((id) => [id, "Petugas Wayan"])),
  });
  expect(rows).toBe(2);
  expect(csv.startsWith("\ufeff")).toBe(true);
  const records = parse(csv.slice(1), { columns: true }) as Record<string, string>[];
  expect(records).toHaveLength(2);
  expect(Object.keys(records[0])).not.toContain("telepon");
  expect(csv).not.toContain("+6281234500001");
  const [first, second] = records; // oldest first
  expect(first).toMatchObject({
    jenis: "kemasan",
    status: "diterima",
    dibuat_wita: "2026-11-02 09:00",
    diperbarui_wita: "2026-11-02 09:00", // its last timeline entry, not the bookkeeping write below
    sentra: "Sentra IKM Amerta Jaya",
    kecamatan: "Mengwi",
    nama_anggota: 'Ni Made "Dewi", S.E.',
    usaha: "Keripik; Dewi\nBali",
    petugas: "Petugas Wayan",
    jawaban_wants: "label; bahan",
    jawaban_quantity: "500",
    jawaban_category: "",
    jumlah_lampiran: "0",
  });
  expect(second).toMatchObject({
    jenis: "produksi",
    dibuat_wita: "2026-11-30 23:30",
    jawaban_category: "bahan_baku",
    jawaban_stopped: "ya",
    jawaban_description: 'Minyak, mahal\n"sekali"',
    petugas: "",
    jumlah_lampiran: "1",
  });
  expect(first.kode).toMatch(/^KMS-2611-\d{3}$/);

  const admin = await exportMonthCsv({ month: "2026-11", includePhone: true });
  const adminRecords = parse(admin.csv.slice(1), { columns: true }) as Record<string, string>[];
  expect(adminRecords.map((r) => r.telepon)).toEqual(["+6281234500001", "+6281234500001"]);
  expect(adminRecords[0].petugas).toBe("4242");

  const dec = await exportMonthCsv({ month: "2026-12", includePhone: false });
  expect(dec.rows).toBe(1);
});

test("cells a spreadsheet would run as formulas are kept as text with a leading quote", async () => {
  const [s] = await listSentras();
  const m = await registerMember(
    6101,
    { name: '=HYPERLINK("http://x","klik")', phone: "+6281234500002", businessName: "@SUM(A1:A9)", products: "kue", kecamatan: "Mengwi", sentraId: s.id, sentraWish: null },
    new Date(),
  );
  const r = await createRequest({
    type: "modal",
    member: { id: m.id, telegramId: m.telegramId, sentraId: m.sentraId, kecamatan: "Mengwi" },
    answers: { purpose: "+1+cmd|' /C calc'!A0", amount: "-2+3", note: "\tTAB", other: "\rCR", quantity: -5, plain: "Minyak goreng" },
    attachments: [],
    sourceKey: "ex-formula",
    now: new Date("2026-09-10T02:00:00Z"),
  });
  await Request.collection.updateOne({ code: r.code }, { $set: { createdAt: new Date("2026-09-10T02:00:00Z") } });
  const { csv } = await exportMonthCsv({ month: "2026-09", includePhone: true });
  const [row] = parse(csv.slice(1), { columns: true }) as Record<string, string>[];
  expect(row).toMatchObject({
    nama_anggota: '\'=HYPERLINK("http://x","klik")',
    usaha: "'@SUM(A1:A9)",
    jawaban_purpose: "'+1+cmd|' /C calc'!A0",
    jawaban_amount: "'-2+3",
    jawaban_note: "'\tTAB",
    jawaban_other: "'\rCR",
    jawaban_quantity: "-5", // a plain number stays a number
    jawaban_plain: "Minyak goreng",
    telepon: "+6281234500002",
  });
});
