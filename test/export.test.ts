import { parse } from "csv-parse/sync";
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { seedSentras, listSentras } from "../src/domain/sentras";
import { registerMember } from "../src/domain/members";
import { createRequest } from "../src/domain/requests";
import { exportMonthCsv } from "../src/domain/export";
import { Request } from "../src/db/models/request";
import ExcelJS from "exceljs";
import { monthWorkbook } from "../src/reports/monthly-report";
import { DATE_FORMAT } from "../src/reports/workbook";
import { REQUEST_COLUMNS } from "../src/domain/export";
import { textOf } from "./helpers/localeText";

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
      sla: SLA_DEFAULTS,
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
  // A BOM and `;` between cells: Excel in an Indonesian locale opens it in columns.
  expect(csv.split("\n")[0]).toMatch(/^\ufeffkode;dibuat_wita;diperbarui_wita;jenis;status;sentra;/);
  const records = parse(csv.slice(1), { columns: true, delimiter: ";" }) as Record<string, string>[];
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
  const adminRecords = parse(admin.csv.slice(1), { columns: true, delimiter: ";" }) as Record<string, string>[];
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
    sla: SLA_DEFAULTS,
    type: "modal",
    member: { id: m.id, telegramId: m.telegramId, sentraId: m.sentraId, kecamatan: "Mengwi" },
    answers: { purpose: "+1+cmd|' /C calc'!A0", amount: "-2+3", note: "\tTAB", other: "\rCR", quantity: -5, plain: "Minyak goreng" },
    attachments: [],
    sourceKey: "ex-formula",
    now: new Date("2026-09-10T02:00:00Z"),
  });
  await Request.collection.updateOne({ code: r.code }, { $set: { createdAt: new Date("2026-09-10T02:00:00Z") } });
  const { csv } = await exportMonthCsv({ month: "2026-09", includePhone: true });
  const [row] = parse(csv.slice(1), { columns: true, delimiter: ";" }) as Record<string, string>[];
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

/** The workbook as exceljs reads it back. */
async function openWorkbook(content: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(content as unknown as ExcelJS.Buffer);
  return wb;
}

/** A sheet's rows as arrays of values (1-based columns, as exceljs numbers them, shifted to 0-based). */
function rowsOf(ws: ExcelJS.Worksheet): unknown[][] {
  const out: unknown[][] = [];
  ws.eachRow({ includeEmpty: true }, (row) => out.push((row.values as unknown[]).slice(1)));
  return out;
}

describe("the workbook", () => {
  test("a sheet of requests (frozen header, widths, real WITA dates, labels) and a sheet of counts; no phones", async () => {
    const file = await monthWorkbook({
      month: "2026-11",
      includePhone: false,
      officerNames: async (ids) => new Map(ids.filter((id) => id === 4242).map((id) => [id, "Petugas Wayan"])),
      locale: "id",
    });
    expect(file.filename).toBe("aspirasi-ikm-2026-11.xlsx");
    expect(file.rows).toBe(2);
    const wb = await openWorkbook(file.content);
    expect(wb.worksheets.map((w) => w.name)).toEqual([textOf("reports.xlsx.sheet_requests"), textOf("reports.xlsx.sheet_recap")]);
    const ws = wb.worksheets[0];
    expect(ws.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    const [header, first, second, ...rest] = rowsOf(ws);
    expect(rest).toEqual([]);
    expect(header).not.toContain(textOf("reports.columns.telepon"));
    const col = (id: string) => header.indexOf(id.startsWith("jawaban_") ? textOf("reports.columns.answer", { key: id.slice(8) }) : textOf(`reports.columns.${id}`));
    expect(col("kode")).toBe(0);
    expect(ws.getColumn(1).width).toBe(REQUEST_COLUMNS[0].width);
    // Oldest first; the dates are Excel dates whose clock shows WITA (09:00 WITA = 01:00 UTC).
    expect(first[col("kode")]).toMatch(/^KMS-2611-\d{3}$/);
    expect(first[col("dibuat_wita")]).toEqual(new Date("2026-11-02T09:00:00Z"));
    expect(first[col("diperbarui_wita")]).toEqual(new Date("2026-11-02T09:00:00Z"));
    expect(ws.getRow(2).getCell(col("dibuat_wita") + 1).numFmt).toBe(DATE_FORMAT);
    expect(first[col("jenis")]).toBe(textOf("labels.type.kemasan"));
    expect(first[col("status")]).toBe(textOf("reports.chart.status.diterima"));
    expect(first[col("sentra")]).toBe("Sentra IKM Amerta Jaya");
    expect(first[col("nama_anggota")]).toBe('Ni Made "Dewi", S.E.');
    expect(first[col("usaha")]).toBe("Keripik; Dewi\nBali");
    expect(first[col("petugas")]).toBe("Petugas Wayan");
    expect(first[col("jawaban_wants")]).toBe("label; bahan");
    expect(first[col("jawaban_quantity")]).toBe(500); // a number stays a number
    expect(second[col("dibuat_wita")]).toEqual(new Date("2026-11-30T23:30:00Z"));
    expect(second[col("jawaban_stopped")]).toBe("ya");
    expect(second[col("jumlah_lampiran")]).toBe(1);
    expect(JSON.stringify(rowsOf(ws))).not.toContain("6281234500001");

    const recap = rowsOf(wb.worksheets[1]);
    const kemasan = recap.find((r) => r[0] === textOf("labels.type.kemasan"))!;
    const produksi = recap.find((r) => r[0] === textOf("labels.type.produksi"))!;
    expect(kemasan.at(-1)).toBe(1);
    expect(produksi.at(-1)).toBe(1);
    expect(recap.find((r) => r[0] === "Sentra IKM Amerta Jaya")?.[1]).toBe(2);
    expect(recap.find((r) => r[0] === "Mengwi")?.[1]).toBe(2);
  });

  test("an admin's workbook has the phone column; members' formulas stay text", async () => {
    const admin = await openWorkbook((await monthWorkbook({ month: "2026-11", includePhone: true, locale: "id" })).content);
    const [header, ...rows] = rowsOf(admin.worksheets[0]);
    const phone = header.indexOf(textOf("reports.columns.telepon"));
    expect(phone).toBeGreaterThan(0);
    expect(rows.map((r) => r[phone])).toEqual(["+6281234500001", "+6281234500001"]);

    const sept = await openWorkbook((await monthWorkbook({ month: "2026-09", includePhone: true, locale: "id" })).content);
    const [h, row] = rowsOf(sept.worksheets[0]);
    const cell = (key: string) => row[h.indexOf(textOf(`reports.columns.${key}`))];
    expect(cell("nama_anggota")).toBe('\'=HYPERLINK("http://x","klik")');
    expect(cell("usaha")).toBe("'@SUM(A1:A9)");
    expect(row[h.indexOf(textOf("reports.columns.answer", { key: "amount" }))]).toBe("'-2+3");
    expect(row[h.indexOf(textOf("reports.columns.answer", { key: "quantity" }))]).toBe(-5);
    // No cell of either workbook is a formula.
    for (const wb of [admin, sept]) wb.eachSheet((ws) => ws.eachRow((r) => r.eachCell((c) => expect(c.type).not.toBe(ExcelJS.ValueType.Formula))));
  });
});
