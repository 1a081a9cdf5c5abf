/**
 * What a month's report is made of, for /rekap, /ekspor and the monthly report to the admins: the
 * recap's pictures (PNG) and the workbook (xlsx), as files ready to send. Nothing is cached: each
 * call reads the month from the database and renders afresh, one picture at a time.
 */
import type { Locale } from "../config";
import { monthlyRecap, recapWithTrend, type Recap } from "../domain/recap";
import type { ExportOptions } from "../domain/export";
import { CHARTS, type ChartData } from "./charts";
import { renderChartPng } from "./render";
import { buildMonthWorkbook } from "./workbook";
import { plainT } from "./labels";

export interface ReportPicture {
  filename: string;
  /** Plain text (no markup). */
  caption: string;
  png: Buffer;
}

export interface ReportFile {
  filename: string;
  content: Buffer;
  /** Requests in it. */
  rows: number;
}

/** The figures the pictures are drawn from: the month's recap and the months before it. */
export async function recapChartData(month: string): Promise<ChartData> {
  return recapWithTrend(month);
}

/** The recap's pictures, in order; none when the month and the months before it are empty. */
export async function recapPictures(data: ChartData, locale: Locale): Promise<ReportPicture[]> {
  const t = plainT(locale);
  const pictures: ReportPicture[] = [];
  for (const chart of CHARTS) {
    const spec = chart(data, { t, locale });
    if (!spec) continue;
    pictures.push({ filename: `rekap-${data.recap.month}-${spec.id}.png`, caption: spec.caption, png: await renderChartPng(spec) });
  }
  return pictures;
}

/** The month's workbook file. */
export async function monthWorkbook(opts: Omit<ExportOptions, "month"> & { month: string; locale: Locale; recap?: Recap }): Promise<ReportFile> {
  const recap = opts.recap ?? (await monthlyRecap(opts.month));
  const { content, rows } = await buildMonthWorkbook({ ...opts, recap, t: plainT(opts.locale) });
  return { filename: `aspirasi-ikm-${opts.month}.xlsx`, content, rows };
}

export interface MonthlyReportFiles {
  recap: Recap;
  pictures: ReportPicture[];
  workbook: ReportFile;
}

/**
 * Everything a month's report sends: the recap pictures and the workbook. `includePhone` as the
 * export rules say (only for an admin, only in a private chat).
 */
export async function monthlyReportFiles(month: string, opts: Omit<ExportOptions, "month"> & { locale: Locale }): Promise<MonthlyReportFiles> {
  const data = await recapChartData(month);
  const pictures = await recapPictures(data, opts.locale);
  const workbook = await monthWorkbook({ ...opts, month, recap: data.recap });
  return { recap: data.recap, pictures, workbook };
}
