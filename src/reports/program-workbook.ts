/**
 * A program's participants and attendance as an Excel workbook, in /ekspor's conventions: a frozen,
 * filtered header row, WITA dates as real Excel dates, typed text behind the formula guard, phone
 * numbers only when the roster has them (an admin in their private chat).
 */
import { LICENCES } from "../vocabulary/programs";
import type { ProgramView } from "../domain/programs";
import type { RosterRow } from "../domain/program-roster";
import { csvCell } from "../domain/export";
import { loadLazily } from "../lib/load-lazily";
import { DATE_FORMAT, witaExcelDate } from "./workbook";
import type { PlainT } from "./labels";

export async function buildProgramWorkbook(p: ProgramView, roster: RosterRow[], t: PlainT, opts: { includePhone: boolean }): Promise<{ content: Buffer; filename: string }> {
  const { Workbook } = await loadLazily(() => import("exceljs"));
  const wb = new Workbook();
  wb.creator = "Aspirasi IKM Badung";
  const ws = wb.addWorksheet(t("program_staff.xlsx.sheet"), { views: [{ state: "frozen", ySplit: 3 }] });
  ws.addRow([t("program_staff.xlsx.title", { code: p.code, title: csvCell(p.title) })]).font = { bold: true, size: 14 };
  const first = p.sessions[0]?.startsAt;
  ws.addRow([t("program_staff.xlsx.when"), first ? witaExcelDate(first) : null, t("program_staff.xlsx.place"), csvCell(p.place)]).getCell(2).numFmt = DATE_FORMAT;
  const columns = ["no", "place", "name", "business", "sentra", "kecamatan", ...(opts.includePhone ? ["phone"] : []), "licences", "incomplete", "registered", "attended"];
  const widths: Record<string, number> = {
    no: 6,
    place: 14,
    name: 26,
    business: 26,
    sentra: 24,
    kecamatan: 16,
    phone: 16,
    licences: 40,
    incomplete: 14,
    registered: 18,
    attended: 10,
  };
  const header = ws.addRow(columns.map((c) => t(`program_staff.xlsx.col_${c}`)));
  header.font = { bold: true };
  header.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE3F2FD" } };
  columns.forEach((c, i) => (ws.getColumn(i + 1).width = widths[c]));
  const yesNo = (v: boolean | null) => (v === null ? "" : t(v ? "program_staff.xlsx.yes" : "program_staff.xlsx.no"));
  roster.forEach((r, i) => {
    const cells: Record<string, string | number | Date | null> = {
      no: i + 1,
      place: r.place.kind === "seat" ? t("program_staff.xlsx.seat") : t("program_staff.xlsx.waiting", { position: r.place.position }),
      name: csvCell(r.name ?? ""),
      business: csvCell(r.businessName ?? ""),
      sentra: csvCell(r.sentraName ?? ""),
      kecamatan: r.kecamatan ?? "",
      phone: r.phone ?? "",
      licences: csvCell(
        r.licences
          ? LICENCES.map((l) => {
              const x = r.licences?.[l];
              return `${t(`program.licence_short.${l}`)}: ${x?.has === "yes" ? (x.number ?? t("program_staff.xlsx.yes")) : x?.has === "no" ? t("program_staff.xlsx.no") : "?"}`;
            }).join("; ")
          : "",
      ),
      incomplete: yesNo(r.incomplete),
      registered: witaExcelDate(r.registeredAt),
      attended: r.place.kind === "seat" ? yesNo(r.attended) : "",
    };
    ws.addRow(columns.map((c) => cells[c]));
  });
  ws.getColumn(columns.indexOf("registered") + 1).numFmt = DATE_FORMAT;
  ws.autoFilter = { from: { row: 3, column: 1 }, to: { row: 3, column: columns.length } };
  return { content: Buffer.from(await wb.xlsx.writeBuffer()), filename: `peserta-${p.code}.xlsx` };
}
