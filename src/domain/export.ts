/**
 * The monthly CSV export for reporting: one row per request created in the month (WITA), answers
 * flattened into one column each. Phone numbers only when the caller is an admin.
 */
import { Types } from "mongoose";
import { stringify } from "csv-stringify/sync";
import { Request } from "../db/models/request";
import { Member } from "../db/models/member";
import { Sentra } from "../db/models/sentra";
import { actedAs, toRequestView, type AnswerValue } from "./requests";
import { witaMonthRange, inWita } from "../lib/time";
import { lastChangeAt } from "./queries";

export interface ExportOptions {
  month: string;
  includePhone: boolean;
  /** Display names of officers by Telegram id (one call for the whole export). */
  officerNames?: (telegramIds: number[]) => Promise<Map<number, string>>;
}

const witaStamp = (d: Date) => inWita(d).format("YYYY-MM-DD HH:mm");

function flatten(value: AnswerValue | undefined): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.join("; ");
  if (typeof value === "boolean") return value ? "ya" : "tidak";
  return String(value);
}

/**
 * Spreadsheet programs run a cell that starts with = + - @ (or a tab or CR) as a formula: such a cell
 * (names, businesses and answers are typed by members) gets a leading ' so it stays text. Plain
 * numbers (a quantity, a phone number +62…) are left as they are.
 */
export function csvCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) && !/^[+-]?\d+(?:[.,]\d+)?$/.test(value) ? `'${value}` : value;
}

export async function exportMonthCsv(opts: ExportOptions): Promise<{ csv: string; rows: number }> {
  const { start, end } = witaMonthRange(opts.month);
  const docs = await Request.find({ createdAt: { $gte: start, $lt: end } })
    .sort({ createdAt: 1, _id: 1 })
    .lean();
  const requests = docs.map(toRequestView);
  const memberIds = [...new Set(requests.map((r) => r.memberId))].map((id) => new Types.ObjectId(id));
  const sentraIds = [...new Set(requests.map((r) => r.sentraId).filter((id): id is string => Boolean(id)))].map((id) => new Types.ObjectId(id));
  const [members, sentras] = await Promise.all([
    Member.find({ _id: { $in: memberIds } }, { name: 1, businessName: 1, phone: 1 }).lean(),
    Sentra.find({ _id: { $in: sentraIds } }, { name: 1 }).lean(),
  ]);
  const memberById = new Map(members.map((m) => [String(m._id), m]));
  const sentraById = new Map(sentras.map((s) => [String(s._id), s.name]));
  const assigneeIds = [...new Set(requests.map((r) => r.assigneeTelegramId).filter((id): id is number => id !== null))];
  const officerNames = opts.officerNames && assigneeIds.length ? await opts.officerNames(assigneeIds) : new Map<number, string>();
  const answerKeys = [...new Set(requests.flatMap((r) => Object.keys(r.answers)))].sort();

  const header = [
    "kode",
    "dibuat_wita",
    "diperbarui_wita",
    "jenis",
    "status",
    "sentra",
    "kecamatan",
    "nama_anggota",
    "usaha",
    ...(opts.includePhone ? ["telepon"] : []),
    "petugas",
    // The member's answer to a finished request (domain/closure.ts).
    "selesai_wita",
    "konfirmasi_anggota",
    "dibuka_lagi",
    "nilai",
    "saran_anggota",
    ...answerKeys.map((k) => `jawaban_${k}`),
    "jumlah_lampiran",
  ];
  const rows: string[][] = [];
  for (const r of requests) {
    const m = memberById.get(r.memberId);
    const assignee = r.assigneeTelegramId ? (officerNames.get(r.assigneeTelegramId) ?? actedAs(r, r.assigneeTelegramId) ?? String(r.assigneeTelegramId)) : "";
    rows.push([
      r.code,
      witaStamp(r.createdAt),
      witaStamp(lastChangeAt(r)),
      r.type,
      r.status,
      r.sentraId ? (sentraById.get(r.sentraId) ?? "") : "",
      r.kecamatan,
      // Filed by the chairperson for a member: that member (the chairperson is in the timeline).
      r.onBehalf ? r.onBehalf.name : (m?.name ?? ""),
      r.onBehalf ? "" : (m?.businessName ?? ""),
      ...(opts.includePhone ? [r.onBehalf ? (r.onBehalf.phone ?? "") : (m?.phone ?? "")] : []),
      assignee,
      r.resolvedAt ? witaStamp(r.resolvedAt) : "",
      r.confirmation ?? "",
      String(r.reopenCount),
      r.rating ? String(r.rating.stars) : "",
      r.rating?.comment ?? "",
      ...answerKeys.map((k) => flatten(r.answers[k])),
      String(r.attachments.length),
    ]);
  }
  // A BOM so spreadsheet programs read the Indonesian text as UTF-8.
  return { csv: "\ufeff" + stringify([header, ...rows.map((row) => row.map(csvCell))]), rows: rows.length };
}
