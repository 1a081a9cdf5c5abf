/**
 * The monthly export for reporting: one row per request created in the month (WITA), answers
 * flattened into one column each. The columns are a list of definitions (`REQUEST_COLUMNS`): the CSV
 * and the workbook (src/reports/workbook.ts) are written from the same list, so a new column (the
 * deadline met, the rating) is one entry. Phone numbers only when the caller asks for them (an admin
 * in a private chat).
 */
import { Types } from "mongoose";
import { stringify } from "csv-stringify/sync";
import { Request } from "../db/models/request";
import { Member } from "../db/models/member";
import { Sentra } from "../db/models/sentra";
import { actedAs, toRequestView, type AnswerValue, type RequestView } from "./requests";
import { witaMonthRange, inWita } from "../lib/time";
import { lastChangeAt } from "./queries";
import { closedOnTime } from "./deadlines";

export interface ExportOptions {
  month: string;
  includePhone: boolean;
  /** Display names of officers by Telegram id (one call for the whole export). */
  officerNames?: (telegramIds: number[]) => Promise<Map<number, string>>;
}

/** A cell: text, a number, an instant (shown in WITA), or empty. */
export type ExportCell = string | number | Date | null;

/** One request with what its columns read, looked up once for the whole export. */
export interface ExportRow {
  request: RequestView;
  sentraName: string;
  member: { name: string; businessName: string; phone: string };
  officer: string;
}

export interface ExportColumn {
  /** The CSV header, and the workbook's header as `reports.columns.<id>` (answers: `reports.columns.answer`). */
  id: string;
  /** Width in the workbook, in characters. */
  width: number;
  /** Codes (type, status) the workbook shows with their label `<labelPrefix>.<code>`. */
  labelPrefix?: string;
  /** Only with phone numbers. */
  phoneOnly?: boolean;
  value(row: ExportRow): ExportCell;
}

/** The request sheet's columns before the answers; a new column is one entry here. */
export const REQUEST_COLUMNS: readonly ExportColumn[] = [
  { id: "kode", width: 16, value: (r) => r.request.code },
  { id: "dibuat_wita", width: 18, value: (r) => r.request.createdAt },
  // Its last timeline entry, not a bookkeeping write (card edits move updatedAt).
  { id: "diperbarui_wita", width: 18, value: (r) => lastChangeAt(r.request) },
  { id: "jenis", width: 24, labelPrefix: "labels.type", value: (r) => r.request.type },
  { id: "status", width: 20, labelPrefix: "reports.chart.status", value: (r) => r.request.status },
  { id: "sentra", width: 28, value: (r) => r.sentraName },
  { id: "kecamatan", width: 14, value: (r) => r.request.kecamatan },
  { id: "nama_anggota", width: 26, value: (r) => r.member.name },
  { id: "usaha", width: 26, value: (r) => r.member.businessName },
  { id: "telepon", width: 16, phoneOnly: true, value: (r) => r.member.phone },
  { id: "petugas", width: 22, value: (r) => r.officer },
  // Service levels (domain/deadlines.ts): finished or declined by the total target, in working days.
  { id: "target_wita", width: 18, value: (r) => r.request.sla.targetAt },
  { id: "tepat_waktu", width: 12, value: (r) => deadlineMet(r.request) },
  // The member's answer to a finished request (domain/closure.ts).
  { id: "selesai_wita", width: 18, value: (r) => r.request.resolvedAt },
  { id: "konfirmasi_anggota", width: 18, value: (r) => r.request.confirmation ?? "" },
  { id: "dibuka_lagi", width: 10, value: (r) => r.request.reopenCount },
  { id: "nilai", width: 8, value: (r) => r.request.rating?.stars ?? null },
  { id: "saran_anggota", width: 30, value: (r) => r.request.rating?.comment ?? "" },
];

/** "ya" when a closed request was closed by its total target, "tidak" when after; empty while open or without a target. */
function deadlineMet(r: RequestView): string {
  const met = closedOnTime(r.closedAt, r.sla.targetAt);
  return met === null ? "" : met ? "ya" : "tidak";
}

/** The columns after the answers. */
export const TRAILING_COLUMNS: readonly ExportColumn[] = [{ id: "jumlah_lampiran", width: 10, value: (r) => r.request.attachments.length }];

export const ANSWER_COLUMN_PREFIX = "jawaban_";

function answerColumn(key: string): ExportColumn {
  return { id: `${ANSWER_COLUMN_PREFIX}${key}`, width: 30, value: (r) => answerCell(r.request.answers[key]) };
}

function answerCell(value: AnswerValue | undefined): ExportCell {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.join("; ");
  if (typeof value === "boolean") return value ? "ya" : "tidak";
  return value;
}

/**
 * Spreadsheet programs run a cell that starts with = + - @ (or a tab or CR) as a formula: such a cell
 * (names, businesses and answers are typed by members) gets a leading ' so it stays text. Plain
 * numbers (a quantity, a phone number +62…) are left as they are.
 */
export function csvCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) && !/^[+-]?\d+(?:[.,]\d+)?$/.test(value) ? `'${value}` : value;
}

export interface MonthExport {
  columns: ExportColumn[];
  rows: ExportRow[];
}

/** The month's requests, oldest first, with the columns to write (answers: every key any of them has). */
export async function exportMonth(opts: ExportOptions): Promise<MonthExport> {
  const { start, end } = witaMonthRange(opts.month);
  const docs = await Request.find({ createdAt: { $gte: start, $lt: end } })
    .sort({ createdAt: 1, _id: 1 })
    .lean();
  const requests = docs.map(toRequestView);
  const memberIds = [...new Set(requests.map((r) => r.memberId))].map((id) => new Types.ObjectId(id));
  const sentraIds = [...new Set(requests.map((r) => r.sentraId).filter((id): id is string => Boolean(id)))].map((id) => new Types.ObjectId(id));
  const [members, sentras] = await Promise.all([
    Member.find({ _id: { $in: memberIds } }, { name: 1, businessName: 1, ...(opts.includePhone ? { phone: 1 } : {}) }).lean(),
    Sentra.find({ _id: { $in: sentraIds } }, { name: 1 }).lean(),
  ]);
  const memberById = new Map(members.map((m) => [String(m._id), m]));
  const sentraById = new Map(sentras.map((s) => [String(s._id), s.name]));
  const assigneeIds = [...new Set(requests.map((r) => r.assigneeTelegramId).filter((id): id is number => id !== null))];
  const officerNames = opts.officerNames && assigneeIds.length ? await opts.officerNames(assigneeIds) : new Map<number, string>();
  const answerKeys = [...new Set(requests.flatMap((r) => Object.keys(r.answers)))].sort();

  const columns = [...REQUEST_COLUMNS.filter((c) => opts.includePhone || !c.phoneOnly), ...answerKeys.map(answerColumn), ...TRAILING_COLUMNS];
  const rows = requests.map((r): ExportRow => {
    const m = memberById.get(r.memberId);
    return {
      request: r,
      sentraName: r.sentraId ? (sentraById.get(r.sentraId) ?? "") : "",
      // Filed by the chairperson for a member: that member (the chairperson is in the timeline).
      member: r.onBehalf
        ? { name: r.onBehalf.name, businessName: "", phone: opts.includePhone ? (r.onBehalf.phone ?? "") : "" }
        : { name: m?.name ?? "", businessName: m?.businessName ?? "", phone: opts.includePhone ? (m?.phone ?? "") : "" },
      officer: r.assigneeTelegramId ? (officerNames.get(r.assigneeTelegramId) ?? actedAs(r, r.assigneeTelegramId) ?? String(r.assigneeTelegramId)) : "",
    };
  });
  return { columns, rows };
}

const witaStamp = (d: Date) => inWita(d).format("YYYY-MM-DD HH:mm");

function csvText(cell: ExportCell): string {
  if (cell === null) return "";
  if (cell instanceof Date) return witaStamp(cell);
  return typeof cell === "number" ? String(cell) : csvCell(cell);
}

/**
 * The month as CSV for spreadsheet programs in an Indonesian locale: `;` between cells (they take
 * `,` as the decimal mark) and a BOM so they read the text as UTF-8. Codes stay codes (kemasan,
 * diterima): the CSV is for further processing, the workbook for reading.
 */
export async function exportMonthCsv(opts: ExportOptions): Promise<{ csv: string; rows: number }> {
  const { columns, rows } = await exportMonth(opts);
  const header = columns.map((c) => c.id);
  const body = rows.map((row) => columns.map((c) => csvText(c.value(row))));
  return { csv: "\ufeff" + stringify([header, ...body], { delimiter: ";" }), rows: rows.length };
}
