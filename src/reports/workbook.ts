/**
 * The month as an Excel workbook (exceljs): a sheet of requests written from the export's column
 * list (domain/export.ts: the CSV uses the same list), and a sheet of the recap's counts. Dates are
 * real Excel dates showing WITA wall time (Excel dates have no time zone); text typed by members
 * keeps the CSV's formula guard, so a cell copied out or saved as CSV cannot become a formula.
 * Phone numbers only when the export options ask for them (an admin in a private chat).
 */
import type ExcelJS from "exceljs";
import { ANSWER_COLUMN_PREFIX, csvCell, exportMonth, type ExportCell, type ExportColumn, type ExportOptions } from "../domain/export";
import type { Recap } from "../domain/recap";
import { REQUEST_TYPES } from "../vocabulary/request-types";
import { STATUSES } from "../vocabulary/statuses";
import { monthName, WITA_UTC_OFFSET_MINUTES } from "../lib/time";
import type { PlainT } from "./labels";
import { loadLazily } from "../lib/load-lazily";

export const DATE_FORMAT = "dd/mm/yyyy hh:mm";

/** An instant as the Excel date whose clock shows WITA (exceljs writes a Date's UTC fields). */
export function witaExcelDate(d: Date): Date {
  return new Date(d.getTime() + WITA_UTC_OFFSET_MINUTES * 60_000);
}

function headerOf(c: ExportColumn, t: PlainT): string {
  return c.id.startsWith(ANSWER_COLUMN_PREFIX) ? t("reports.columns.answer", { key: c.id.slice(ANSWER_COLUMN_PREFIX.length) }) : t(`reports.columns.${c.id}`);
}

function cellOf(c: ExportColumn, value: ExportCell, t: PlainT): string | number | Date | null {
  if (value === null || typeof value === "number") return value;
  if (value instanceof Date) return witaExcelDate(value);
  if (c.labelPrefix && value) return t(`${c.labelPrefix}.${value}`);
  return csvCell(value);
}

function boldRow(row: ExcelJS.Row) {
  row.font = { bold: true };
  row.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE3F2FD" } };
}

function requestsSheet(wb: ExcelJS.Workbook, t: PlainT, columns: ExportColumn[], rows: Awaited<ReturnType<typeof exportMonth>>["rows"]) {
  const ws = wb.addWorksheet(t("reports.xlsx.sheet_requests"), { views: [{ state: "frozen", ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: headerOf(c, t), key: c.id, width: c.width }));
  boldRow(ws.getRow(1));
  for (const r of rows) ws.addRow(columns.map((c) => cellOf(c, c.value(r), t)));
  columns.forEach((c, i) => {
    if (rows.length && rows.some((r) => c.value(r) instanceof Date)) ws.getColumn(i + 1).numFmt = DATE_FORMAT;
  });
  ws.getRow(1).numFmt = "@";
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
}

function recapSheet(wb: ExcelJS.Workbook, t: PlainT, recap: Recap, locale: string) {
  const ws = wb.addWorksheet(t("reports.xlsx.sheet_recap"), { views: [{ state: "frozen", ySplit: 3 }] });
  ws.columns = [{ width: 30 }, ...STATUSES.map(() => ({ width: 16 })), { width: 12 }];
  const title = ws.addRow([t("reports.xlsx.recap_title", { month: monthName(recap.month, locale), total: recap.total })]);
  title.font = { bold: true, size: 14 };
  ws.addRow([]);
  boldRow(ws.addRow([t("reports.columns.jenis"), ...STATUSES.map((s) => t(`reports.chart.status.${s}`)), t("reports.xlsx.total")]));
  for (const type of REQUEST_TYPES) {
    const counts = STATUSES.map((s) => recap.byTypeStatus[type][s]);
    ws.addRow([t(`labels.type.${type}`), ...counts, counts.reduce((a, b) => a + b, 0)]);
  }
  const totals = STATUSES.map((s) => REQUEST_TYPES.reduce((n, type) => n + recap.byTypeStatus[type][s], 0));
  ws.addRow([t("reports.xlsx.total"), ...totals, recap.total]).font = { bold: true };
  ws.addRow([]);
  boldRow(ws.addRow([t("reports.columns.sentra"), t("reports.xlsx.count")]));
  for (const s of recap.bySentra) ws.addRow([s.name === null ? t("reports.no_sentra") : csvCell(s.name), s.count]);
  ws.addRow([]);
  boldRow(ws.addRow([t("reports.columns.kecamatan"), t("reports.xlsx.count")]));
  for (const [k, n] of Object.entries(recap.byKecamatan)) ws.addRow([k, n]);
  ws.addRow([]);
  ws.addRow([t("reports.xlsx.whatsapp_templates"), recap.whatsappTemplates]);
  ws.addRow([]);
  boldRow(ws.addRow([t("reports.xlsx.programs"), t("reports.xlsx.count")]));
  for (const k of ["held", "registered", "attended", "requestsAnswered"] as const) ws.addRow([t(`reports.xlsx.programs_${k}`), recap.programs[k]]);
}

/** The workbook of a month (the requests' rows as the export rules say: phones only if asked for). */
export async function buildMonthWorkbook(opts: ExportOptions & { recap: Recap; t: PlainT; locale: string }): Promise<{ content: Buffer; rows: number }> {
  const { columns, rows } = await exportMonth(opts);
  // Loaded at the first export, not at start-up (it is large and most processes never need it).
  const { Workbook } = await loadLazily(() => import("exceljs"));
  const wb = new Workbook();
  wb.creator = "Aspirasi IKM Badung";
  requestsSheet(wb, opts.t, columns, rows);
  recapSheet(wb, opts.t, opts.recap, opts.locale);
  return { content: Buffer.from(await wb.xlsx.writeBuffer()), rows: rows.length };
}
