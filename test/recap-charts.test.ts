/**
 * The recap's pictures: drawn from a month stored in the database, checked as PNG files (signature,
 * width from the IHDR, decoded pixels that are not blank), labelled from the locales in WITA month
 * names; and /rekap sending them through the real bot (an album, one photo, none, or a refusal).
 */
import { PNG } from "pngjs";
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, testConfig } from "./helpers/harness";
import { seedSentras, listSentras } from "../src/domain/sentras";
import { registerMember } from "../src/domain/members";
import { createRequest } from "../src/domain/requests";
import { Request } from "../src/db/models/request";
import { Outbox } from "../src/db/models/outbox";
import type { RequestType } from "../src/vocabulary/request-types";
import type { Status } from "../src/vocabulary/statuses";
import { monthlyReportFiles, recapChartData, recapPictures } from "../src/reports/monthly-report";
import ExcelJS from "exceljs";
import { CHARTS } from "../src/reports/charts";
import { chartSvg, CHART_WIDTH } from "../src/reports/render";
import { plainT } from "../src/reports/labels";
import { textOf } from "./helpers/localeText";

useTestDatabase();

const ADMIN = 7400;
const MEMBER_A = 7401;
const MEMBER_B = 7402;
const GROUP = -1007400000001;

/** Requests of the fixture: [type, status, created at (UTC), member]. November 2026 in WITA has 6. */
const FIXTURE: [RequestType, Status, string, "a" | "b"][] = [
  ["produksi", "diterima", "2026-11-03T02:00:00Z", "a"],
  ["produksi", "selesai", "2026-11-10T02:00:00Z", "a"],
  ["produksi", "ditolak", "2026-11-12T02:00:00Z", "b"],
  ["kemasan", "ditelaah", "2026-11-15T02:00:00Z", "b"],
  ["kemasan", "ditindaklanjuti", "2026-11-30T15:59:00Z", "a"], // 23:59 WITA: still November
  ["pelatihan", "perlu_info", "2026-10-31T16:00:00Z", "b"], // 00:00 WITA on 1 November
  ["pemasaran", "selesai", "2026-11-30T16:00:00Z", "a"], // December in WITA
  ["modal", "diterima", "2026-09-05T02:00:00Z", "a"],
  ["modal", "selesai", "2026-06-20T02:00:00Z", "b"],
  ["pemasaran", "diterima", "2026-05-20T02:00:00Z", "b"], // seven months before November: not in the trend
];

beforeAll(async () => {
  await clearDatabase();
  await seedSentras([
    { slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" },
    { slug: "kuta-jaya", name: "Sentra Kuta Jaya", kecamatan: "Kuta" },
  ]);
  const sentras = await listSentras();
  const amerta = sentras.find((s) => s.slug === "amerta-jaya")!;
  const a = await registerMember(
    MEMBER_A,
    { name: "Wayan", phone: "+6281200000001", businessName: "Kue Wayan", products: "kue", kecamatan: "Mengwi", sentraId: amerta.id, sentraWish: null },
    new Date(),
  );
  const b = await registerMember(
    MEMBER_B,
    { name: "Komang", phone: "+6281200000002", businessName: "Keripik Komang", products: "keripik", kecamatan: "Kuta", sentraId: null, sentraWish: null },
    new Date(),
  );
  let i = 0;
  for (const [type, status, at, who] of FIXTURE) {
    const m = who === "a" ? a : b;
    const r = await createRequest({
      sla: SLA_DEFAULTS,
      type,
      member: { id: m.id, telegramId: m.telegramId, sentraId: m.sentraId, kecamatan: m.kecamatan! },
      answers: { need: `n${i}` },
      attachments: [],
      sourceKey: `chart-${i++}`,
      now: new Date(at),
    });
    await Request.collection.updateOne({ code: r.code }, { $set: { status, createdAt: new Date(at) } });
  }
});

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Checks a PNG file and tells its size and how many colours its pixels use. */
function inspectPng(file: Buffer): { width: number; height: number; colours: number; inked: number } {
  expect(file.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  expect(file.toString("latin1", 12, 16)).toBe("IHDR");
  const width = file.readUInt32BE(16);
  const height = file.readUInt32BE(20);
  const { data } = PNG.sync.read(file);
  const colours = new Set<number>();
  let inked = 0;
  for (let p = 0; p < data.length; p += 4) {
    const rgba = data.readUInt32BE(p);
    colours.add(rgba);
    if (rgba !== 0xffffffff) inked++;
  }
  return { width, height, colours: colours.size, inked: inked / (width * height) };
}

test("November's pictures: by type and status, by sentra and kecamatan, the six months' trend", async () => {
  const data = await recapChartData("2026-11");
  expect(data.recap.total).toBe(6);
  expect(data.trend.map((m) => [m.month, m.total])).toEqual([
    ["2026-06", 1],
    ["2026-07", 0],
    ["2026-08", 0],
    ["2026-09", 1],
    ["2026-10", 0],
    ["2026-11", 6],
  ]);
  const pictures = await recapPictures(data, "id");
  expect(pictures.map((p) => p.filename)).toEqual(["rekap-2026-11-jenis-status.png", "rekap-2026-11-sentra-kecamatan.png", "rekap-2026-11-tren.png"]);
  for (const p of pictures) {
    const png = inspectPng(p.png);
    expect(png.width).toBeGreaterThanOrEqual(1080);
    expect(png.height).toBeGreaterThan(600);
    // Bars, lines and anti-aliased text: many colours, and a fair share of the picture drawn on.
    expect(png.colours).toBeGreaterThan(100);
    expect(png.inked).toBeGreaterThan(0.02);
  }
  expect(pictures.map((p) => p.caption)).toEqual([
    textOf("reports.chart.by_type_title", { month: "November 2026" }),
    textOf("reports.chart.by_place_title", { month: "November 2026" }),
    textOf("reports.chart.trend_title", { months: 6 }),
  ]);
});

test("the pictures say what the month holds, in the locale's words and WITA month names", async () => {
  const data = await recapChartData("2026-11");
  const t = plainT("id");
  // The service picture has nothing to show in this fixture (nothing closed or rated): not drawn.
  const specs = CHARTS.map((chart) => chart(data, { t, locale: "id" }));
  expect(specs.map((spec) => spec?.id ?? null)).toEqual(["jenis-status", "sentra-kecamatan", "tren", null]);
  const svgs = await Promise.all(specs.slice(0, 3).map((spec) => chartSvg(spec!, CHART_WIDTH)));
  const [byType, byPlace, trend] = svgs;
  for (const [type, n] of [
    ["produksi", 3],
    ["kemasan", 2],
    ["pelatihan", 1],
    ["modal", 0],
  ] as const) {
    expect(byType).toContain(t("reports.chart.label_count", { label: t(`labels.type.${type}`), count: n }));
  }
  for (const s of ["diterima", "ditelaah", "perlu_info", "ditindaklanjuti", "selesai", "ditolak"]) expect(byType).toContain(t(`reports.chart.status.${s}`));
  expect(byType).toContain(t("reports.chart.total_subtitle", { total: 6 }));
  expect(byPlace).toContain("Sentra IKM Amerta Jaya");
  expect(byPlace).toContain(t("reports.no_sentra"));
  expect(byPlace).toContain("Kuta Selatan");
  expect(trend).toContain("Jun 2026");
  expect(trend).toContain("Nov 2026");
  expect(trend).toContain(t("reports.chart.trend_subtitle", { from: "Juni 2026", to: "November 2026", total: 8 }));
  // English has the same charts in its own words.
  const en = await chartSvg(CHARTS[0](data, { t: plainT("en"), locale: "en" })!);
  expect(en).toContain(textOf("reports.chart.status.selesai", undefined, "en"));
});

test("a month with nothing in it and nothing before it has no pictures", async () => {
  const data = await recapChartData("2025-01");
  expect(data.recap.total).toBe(0);
  expect(await recapPictures(data, "id")).toEqual([]);
});

test("a month's report files, for a scheduled report: the pictures and the workbook", async () => {
  const files = await monthlyReportFiles("2026-11", { includePhone: false, locale: "id" });
  expect(files.recap.total).toBe(6);
  expect(files.pictures).toHaveLength(3);
  for (const p of files.pictures) expect(inspectPng(p.png).width).toBeGreaterThanOrEqual(1080);
  expect(files.workbook).toMatchObject({ filename: "aspirasi-ikm-2026-11.xlsx", rows: 6 });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(files.workbook.content as unknown as ExcelJS.Buffer);
  expect(wb.worksheets[0].rowCount).toBe(7); // the header and six requests
  expect(JSON.stringify(wb.worksheets[0].getSheetValues())).not.toContain("+62812000000");
});

describe("/rekap through the bot", () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness(testConfig({ ADMIN_IDS: String(ADMIN), OFFICER_GROUP_ID: String(GROUP) }));
  });

  test("the text, then the pictures as one album", async () => {
    const admin = h.user(ADMIN);
    const calls = await admin.send("/rekap 2026-11");
    expect(calls.map((c) => c.method)).toEqual(["sendMessage", "sendMediaGroup"]);
    expect(String(calls[0].payload.text)).toContain(textOf("reports.recap_title", { month: "November 2026", total: 6 }));
    const album = calls[1];
    const media = album.payload.media as { type: string; caption: string }[];
    expect(media.map((m) => m.type)).toEqual(["photo", "photo", "photo"]);
    expect(media[0].caption).toBe(textOf("reports.chart.by_type_title", { month: "November 2026" }));
    for (let i = 0; i < 3; i++) {
      const file = album.files![`media.${i}`];
      expect(file.filename).toMatch(/^rekap-2026-11-.+\.png$/);
      expect(inspectPng(file.content).width).toBeGreaterThanOrEqual(1080);
    }
  });

  test("one picture goes as a photo; an empty stretch of months gets the text alone", async () => {
    const admin = h.user(ADMIN);
    // October is empty, but June and September are in its six months: the trend alone.
    const oct = await admin.send("/rekap 2026-10");
    expect(oct.map((c) => c.method)).toEqual(["sendMessage", "sendPhoto"]);
    expect(oct[1].payload.caption).toBe(textOf("reports.chart.trend_title", { months: 6 }));
    expect(inspectPng(oct[1].files!.photo.content).width).toBeGreaterThanOrEqual(1080);
    const empty = await admin.send("/rekap 2025-01");
    expect(empty.map((c) => c.method)).toEqual(["sendMessage"]);
  });

  test("pictures Telegram refuses: the sender is told to try again, not left in silence", async () => {
    const admin = h.user(ADMIN);
    h.telegram.fail("sendMediaGroup", { kind: "http", error_code: 400, description: 'Bad Request: failed to send message #1 with the error message "IMAGE_PROCESS_FAILED"' });
    const calls = await admin.send("/rekap 2026-11");
    expect(calls.map((c) => [c.method, Boolean(c.failed)])).toEqual([
      ["sendMessage", false],
      ["sendMediaGroup", true],
      ["sendMessage", false],
    ]);
    expect(admin.lastText()).toBe(textOf("reports.charts_failed"));
  });

  test("in the officers' group the album counts toward the group's budget", async () => {
    const admin = h.inGroup(GROUP, ADMIN);
    const calls = await admin.send("/rekap 2026-11");
    expect(calls.map((c) => c.method)).toEqual(["sendMessage", "sendMediaGroup"]);
    expect(h.telegram.callsOf("sendMediaGroup", GROUP)).toHaveLength(1);
    // Three pictures are three of the group's 20 messages a minute (the dispatcher reads these).
    expect(await Outbox.countDocuments({ method: "sendMediaGroup", ref: JSON.stringify({ direct: true }), status: "sent" })).toBe(3);
  });
});

test("with service levels (closed within target, ratings), a fourth picture shows them per type", async () => {
  const nov = await Request.find({ createdAt: { $gte: new Date("2026-10-31T16:00:00Z"), $lt: new Date("2026-11-30T16:00:00Z") } }).lean();
  const [first, second] = nov;
  await Request.collection.updateOne(
    { _id: first._id },
    { $set: { status: "selesai", closedAt: new Date("2026-11-20T02:00:00Z"), "sla.targetAt": new Date("2026-11-25T15:59:59Z"), rating: { stars: 4, at: new Date() } } },
  );
  await Request.collection.updateOne(
    { _id: second._id },
    { $set: { status: "ditolak", closedAt: new Date("2026-11-28T02:00:00Z"), "sla.targetAt": new Date("2026-11-25T15:59:59Z") } },
  );
  const data = await recapChartData("2026-11");
  const pictures = await recapPictures(data, "id");
  const service = pictures.find((p) => p.filename === "rekap-2026-11-layanan.png")!;
  expect(service.caption).toBe(textOf("reports.chart.service_title", { month: "November 2026" }));
  const png = inspectPng(service.png);
  expect(png.width).toBeGreaterThanOrEqual(1080);
  expect(png.colours).toBeGreaterThan(100);
  const all = Object.values(data.recap.service.byType);
  expect(all.reduce((n, f) => n + f.closed, 0)).toBe(2);
  expect(all.reduce((n, f) => n + f.onTime, 0)).toBe(1);
  expect(all.reduce((n, f) => n + f.rated, 0)).toBe(1);
});
